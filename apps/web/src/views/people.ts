import { ApiError, api } from '../api';
import { h, replace } from '../dom';
import { formatTime } from '../format';
import { View } from './view';

interface Person {
  id: string;
  name: string;
  notes: string | null;
  faceCount: number;
  createdAt: number;
}

interface Face {
  id: number;
  quality: number;
  model: string;
  createdAt: number;
}

interface Unknown {
  id: string;
  firstSeen: number;
  lastSeen: number;
  sightings: number;
  lastCamera: string;
  faceCount: number;
}

/** The enrollment errors of the API in plain words (no face, several faces, too big, not an image). */
export function enrollmentError(error: unknown): string {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 413) return `too big: ${error.message}`;
  return error.message;
}

const imagesForm = (files: Iterable<File | Blob>, name?: string): FormData => {
  const form = new FormData();
  for (const file of files) form.append('images', file, file instanceof File ? file.name : name);
  return form;
};

export const peopleView: View = (container, { notify }) => {
  const peopleList = h('div', { class: 'people', 'data-testid': 'people' });
  const unknownList = h('div', { class: 'unknowns', 'data-testid': 'unknowns' });
  const enrollStatus = h('p', { class: 'status', 'data-testid': 'enroll-status', role: 'status' });
  const nameInput = h('input', { name: 'name', required: true, maxlength: 200, placeholder: 'name', 'data-testid': 'enroll-name' });
  const filesInput = h('input', { name: 'images', type: 'file', accept: 'image/jpeg,image/png,image/webp', multiple: true, required: true, 'data-testid': 'enroll-files' });
  let people: Person[] = [];
  let stopped = false;

  const say = (element: HTMLElement, text: string, kind: 'ok' | 'error') => {
    element.textContent = text;
    element.className = `status ${kind}`;
  };

  const enroll = async (event: Event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    const files = Array.from(filesInput.files ?? []);
    if (!name || files.length === 0) return say(enrollStatus, 'a name and at least one image are needed', 'error');
    say(enrollStatus, `enrolling ${name}…`, 'ok');
    let person: Person | undefined;
    try {
      person = await api.post<Person>('/people', { name });
      const result = await api.post<{ faces: unknown[] }>(`/people/${person.id}/faces`, imagesForm(files));
      say(enrollStatus, `${name} enrolled with ${result.faces.length} face${result.faces.length === 1 ? '' : 's'}`, 'ok');
      nameInput.value = '';
      filesInput.value = '';
    } catch (error) {
      // Nothing half-made: a person created for this enrollment goes when its images are refused.
      if (person) await api.del(`/people/${person.id}`).catch(() => undefined);
      say(enrollStatus, `not enrolled: ${enrollmentError(error)}`, 'error');
    }
    await refresh();
  };

  const personCard = (person: Person): HTMLElement => {
    const status = h('p', { class: 'status' });
    const faces = h('ul', { class: 'faces' });
    const rename = h('input', { value: person.name, 'aria-label': `new name of ${person.name}`, 'data-testid': 'rename-input' });
    const more = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp', multiple: true, 'aria-label': `more images of ${person.name}` });
    const act = async (work: () => Promise<unknown>, done?: string) => {
      try {
        await work();
        if (done) notify(done);
        await refresh();
      } catch (error) {
        say(status, enrollmentError(error), 'error');
      }
    };
    const showFaces = async () => {
      try {
        const detail = await api.get<Person & { faces: Face[] }>(`/people/${person.id}`);
        replace(
          faces,
          ...detail.faces.map((f) =>
            h('li', {}, `face #${f.id} · quality ${f.quality.toFixed(2)} · ${f.model} · ${formatTime(f.createdAt)} `, h('button', { class: 'link', onclick: () => void act(() => api.del(`/people/${person.id}/faces/${f.id}`), 'face removed') }, 'remove')),
          ),
        );
        if (detail.faces.length === 0) replace(faces, h('li', { class: 'muted' }, 'no face enrolled'));
      } catch (error) {
        say(status, enrollmentError(error), 'error');
      }
    };
    return h(
      'div',
      { class: 'card person', 'data-testid': 'person', 'data-name': person.name },
      h('h4', {}, person.name, h('small', { class: 'muted' }, ` ${person.faceCount} face${person.faceCount === 1 ? '' : 's'}`)),
      h(
        'div',
        { class: 'row' },
        rename,
        h('button', { onclick: () => void act(() => api.patch(`/people/${person.id}`, { name: rename.value.trim() }), 'renamed') }, 'Rename'),
        h('button', { class: 'danger', onclick: () => confirm(`Delete ${person.name} and their enrolled faces?`) && void act(() => api.del(`/people/${person.id}`), `${person.name} deleted`) }, 'Delete'),
      ),
      h('div', { class: 'row' }, more, h('button', { onclick: () => more.files?.length && void act(() => api.post(`/people/${person.id}/faces`, imagesForm(Array.from(more.files ?? []))), 'faces added') }, 'Add images')),
      h('details', { ontoggle: (e: Event) => (e.target as HTMLDetailsElement).open && void showFaces() }, h('summary', {}, 'enrolled faces'), faces),
      status,
    );
  };

  const unknownCard = (unknown: Unknown): HTMLElement => {
    const status = h('p', { class: 'status' });
    const name = h('input', { placeholder: 'name this person', 'aria-label': `name of ${unknown.id}`, 'data-testid': 'promote-name' });
    const target = h('select', { 'aria-label': `merge ${unknown.id} into` }, h('option', { value: '' }, 'merge into…'), ...people.map((p) => h('option', { value: p.id }, p.name)));
    const promote = async () => {
      if (!name.value.trim()) return say(status, 'type a name first', 'error');
      try {
        await api.post(`/unknowns/${encodeURIComponent(unknown.id)}/promote`, { name: name.value.trim() });
        notify(`${unknown.id} is now ${name.value.trim()}`);
        await refresh();
      } catch (error) {
        say(status, enrollmentError(error), 'error');
      }
    };
    // Merge: the unknown's stored crop is enrolled as a face of the person, then the unknown is forgotten.
    const merge = async () => {
      const person = people.find((p) => p.id === target.value);
      if (!person) return say(status, 'pick a person first', 'error');
      try {
        const crop = await fetch(`/unknowns/${encodeURIComponent(unknown.id)}/crop.jpg`, { credentials: 'same-origin' });
        if (!crop.ok) throw new ApiError(crop.status, `the crop of ${unknown.id} cannot be read (HTTP ${crop.status})`);
        await api.post(`/people/${person.id}/faces`, imagesForm([await crop.blob()], `${unknown.id}.jpg`));
        await api.del(`/unknowns/${encodeURIComponent(unknown.id)}`);
        notify(`${unknown.id} merged into ${person.name}`);
        await refresh();
      } catch (error) {
        say(status, enrollmentError(error), 'error');
      }
    };
    return h(
      'div',
      { class: 'card unknown', 'data-testid': 'unknown', 'data-id': unknown.id },
      h('img', { src: `/unknowns/${encodeURIComponent(unknown.id)}/crop.jpg`, alt: `face of ${unknown.id}`, class: 'crop' }),
      h('div', {}, h('h4', {}, unknown.id), h('div', { class: 'muted' }, `${unknown.sightings} sighting${unknown.sightings === 1 ? '' : 's'} · last on ${unknown.lastCamera} at ${formatTime(unknown.lastSeen)}`), h('div', { class: 'row' }, name, h('button', { onclick: () => void promote() }, 'Name')), h('div', { class: 'row' }, target, h('button', { onclick: () => void merge() }, 'Merge')), status),
    );
  };

  const refresh = async () => {
    try {
      const [nextPeople, unknowns] = await Promise.all([api.get<Person[]>('/people'), api.get<Unknown[]>('/unknowns?limit=100')]);
      if (stopped) return;
      people = nextPeople;
      replace(peopleList, ...(people.length ? people.map(personCard) : [h('p', { class: 'empty' }, 'Nobody enrolled yet.')]));
      replace(unknownList, ...(unknowns.length ? unknowns.map(unknownCard) : [h('p', { class: 'empty' }, 'No unknown face seen.')]));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) replace(peopleList, h('p', { class: 'empty' }, 'This process does not run face recognition (the cloud tier does).'));
      else if (!(error instanceof ApiError && error.status === 401)) notify((error as Error).message, 'error');
    }
  };

  replace(
    container,
    h('div', { class: 'view-head' }, h('h2', {}, 'People')),
    h(
      'section',
      { class: 'panel' },
      h('h3', {}, 'Enroll a person'),
      h('form', { class: 'enroll row', onsubmit: (e: Event) => void enroll(e), 'data-testid': 'enroll-form' }, nameInput, filesInput, h('button', { type: 'submit' }, 'Enroll')),
      h('p', { class: 'muted' }, 'One face per image (JPEG, PNG or WebP). Several images of the same person recognise them better.'),
      enrollStatus,
    ),
    h('div', { class: 'columns' }, h('section', { class: 'panel' }, h('h3', {}, 'Gallery'), peopleList), h('section', { class: 'panel' }, h('h3', {}, 'Unknown faces'), unknownList)),
  );
  void refresh();
  return () => {
    stopped = true;
  };
};
