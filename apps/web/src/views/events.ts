import { ApiError, api, query } from '../api';
import { h, replace, svg } from '../dom';
import { formatScore, formatTime } from '../format';
import { EventFilters, EventItem, EventPage, Sighting, SightingPage, isNamed, matchesPerson, parseLocalTime, sightingCropUrl, sightingMatchesPerson, sightingWho, unknownCropUrl, whoOf } from '../events-model';
import { View } from './view';

const KINDS = ['', 'intruder', 'identity', 'suspicious-object', 'camera-down', 'camera-up'];
const REFRESH_MS = 3_000;

/** Where the event's box lies in the camera frame (frame size from the cameras' stats, when known). */
function whereInFrame(event: EventItem, frame?: { width: number; height: number }): HTMLElement | null {
  const box = event.boxes?.[0];
  if (!box) return null;
  const width = frame?.width ?? Math.max(box.x + box.width, 1);
  const height = frame?.height ?? Math.max(box.y + box.height, 1);
  const picture = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, class: 'where', role: 'img', 'aria-label': 'where in the frame' },
    svg('rect', { x: 0, y: 0, width, height, class: 'frame' }),
    svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, class: 'box' }),
  );
  return h('div', {}, picture, h('div', { class: 'muted' }, `x ${Math.round(box.x)}, y ${Math.round(box.y)}, ${Math.round(box.width)}×${Math.round(box.height)} px`));
}

function detail(event: EventItem, frame?: { width: number; height: number }): HTMLElement {
  const crop = unknownCropUrl(event);
  return h(
    'aside',
    { class: 'panel detail', 'data-testid': 'event-detail' },
    h('h3', {}, `${event.kind}: ${whoOf(event) || '–'}`),
    h(
      'dl',
      {},
      h('dt', {}, 'who'),
      h('dd', { 'data-testid': 'detail-who' }, whoOf(event) || '–', isNamed(event) ? h('span', { class: 'badge named' }, 'enrolled') : null),
      h('dt', {}, 'score'),
      h('dd', {}, formatScore(event.score)),
      h('dt', {}, 'camera'),
      h('dd', {}, event.cameraId),
      h('dt', {}, 'time'),
      h('dd', {}, formatTime(event.at)),
      event.trackId !== undefined ? h('dt', {}, 'track') : null,
      event.trackId !== undefined ? h('dd', {}, `#${event.trackId}`) : null,
      event.message ? h('dt', {}, 'message') : null,
      event.message ? h('dd', {}, event.message) : null,
    ),
    h(
      'div',
      { class: 'detail-images' },
      event.snapshotUrl ? h('figure', {}, h('img', { src: event.snapshotUrl, alt: 'snapshot', class: 'snapshot-large' }), h('figcaption', {}, 'snapshot')) : null,
      crop && !event.snapshotUrl ? h('figure', {}, h('img', { src: crop, alt: 'face crop', class: 'snapshot-large' }), h('figcaption', {}, 'face crop of the unknown')) : null,
      h('figure', {}, whereInFrame(event, frame), h('figcaption', {}, 'where in the frame')),
    ),
  );
}

function row(event: EventItem, selected: boolean, onSelect: () => void): HTMLElement {
  const thumb = event.snapshotUrl ?? unknownCropUrl(event);
  return h(
    'li',
    { class: `event ${event.priority} ${selected ? 'selected' : ''}`, 'data-testid': 'event', 'data-kind': event.kind, 'data-id': event.id, onclick: onSelect },
    thumb ? h('img', { src: thumb, alt: '', class: 'thumb', loading: 'lazy', 'data-testid': event.snapshotUrl ? 'event-snapshot' : 'event-crop' }) : h('span', { class: 'thumb none' }),
    h(
      'div',
      { class: 'event-text' },
      h('div', {}, h('span', { class: `badge kind-${event.kind}` }, event.kind), ' ', h('strong', { 'data-testid': 'event-who' }, whoOf(event)), event.score !== undefined ? h('span', { class: 'muted' }, ` ${formatScore(event.score)}`) : null),
      h('div', { class: 'muted' }, `${formatTime(event.at)} · ${event.cameraId}${event.notified ? '' : ' · grouped'}`),
    ),
  );
}

function sightingDetail(sighting: Sighting): HTMLElement {
  const crop = sightingCropUrl(sighting);
  const field = (name: string, value: string) => [h('dt', {}, name), h('dd', {}, value)];
  return h(
    'aside',
    { class: 'panel detail', 'data-testid': 'sighting-detail' },
    h('h3', {}, `sighting: ${sightingWho(sighting)}`),
    h(
      'dl',
      {},
      ...field('who', sightingWho(sighting)),
      ...field('decision', sighting.decision),
      ...field('similarity', formatScore(sighting.similarity)),
      ...field('faces pooled', String(sighting.facesPooled)),
      ...field('face', `${sighting.faceSize} px, quality ${sighting.faceQuality.toFixed(2)}`),
      ...field('camera', `${sighting.cameraId}, track #${sighting.trackId}`),
      ...field('captured', formatTime(sighting.capturedAt)),
      ...(sighting.mergedFrom ? field('merged from', sighting.mergedFrom) : []),
    ),
    crop ? h('figure', {}, h('img', { src: crop, alt: 'face crop', class: 'snapshot-large' }), h('figcaption', {}, 'face crop of the unknown')) : null,
  );
}

function sightingRow(sighting: Sighting, onSelect: () => void): HTMLElement {
  const crop = sightingCropUrl(sighting);
  return h(
    'li',
    { class: 'event low', 'data-testid': 'sighting', 'data-decision': sighting.decision, onclick: onSelect },
    crop ? h('img', { src: crop, alt: '', class: 'thumb', loading: 'lazy' }) : h('span', { class: 'thumb none' }),
    h(
      'div',
      { class: 'event-text' },
      h('div', {}, h('span', { class: `badge decision-${sighting.decision}` }, sighting.decision), ' ', h('strong', {}, sightingWho(sighting)), h('span', { class: 'muted' }, ` ${formatScore(sighting.similarity)}`)),
      h('div', { class: 'muted' }, `${formatTime(sighting.capturedAt)} · ${sighting.cameraId} · track #${sighting.trackId} · ${sighting.facesPooled} face${sighting.facesPooled === 1 ? '' : 's'}`),
    ),
  );
}

export const eventsView: View = (container, { live, notify }) => {
  const filters: EventFilters = {};
  let selectedId: string | undefined;
  let items: EventItem[] = [];
  const list = h('ol', { class: 'timeline', 'data-testid': 'timeline' });
  const sightingsList = h('ol', { class: 'timeline', 'data-testid': 'sightings' });
  const sightingsPanel = h('section', { class: 'panel' }, h('h3', {}, 'Identity sightings (every decision of the cloud)'), sightingsList);
  let sightings: Sighting[] = [];
  const side = h('div', { class: 'side' }, h('p', { class: 'empty' }, 'Pick an event to see who, the score, where in the frame and the face.'));

  const cameraInput = h('input', { name: 'camera', placeholder: 'any camera', list: 'camera-ids', 'data-testid': 'filter-camera' });
  const cameraIds = h('datalist', { id: 'camera-ids' });
  const kindSelect = h('select', { name: 'kind', 'data-testid': 'filter-kind' }, ...KINDS.map((k) => h('option', { value: k }, k || 'any kind')));
  const personInput = h('input', { name: 'person', placeholder: 'any person', 'data-testid': 'filter-person' });
  const sinceInput = h('input', { name: 'since', type: 'datetime-local', 'data-testid': 'filter-since' });
  const untilInput = h('input', { name: 'until', type: 'datetime-local', 'data-testid': 'filter-until' });
  const applyFilters = () => {
    filters.camera = cameraInput.value.trim() || undefined;
    filters.kind = kindSelect.value || undefined;
    filters.person = personInput.value.trim() || undefined;
    filters.since = parseLocalTime(sinceInput.value);
    filters.until = parseLocalTime(untilInput.value);
    void refresh(true);
  };
  const form = h(
    'form',
    { class: 'filters', onsubmit: (e: Event) => (e.preventDefault(), applyFilters()), onchange: applyFilters },
    h('label', {}, 'camera', cameraInput, cameraIds),
    h('label', {}, 'kind', kindSelect),
    h('label', {}, 'person', personInput),
    h('label', {}, 'from', sinceInput),
    h('label', {}, 'to', untilInput),
    h('button', { type: 'submit' }, 'Filter'),
  );

  const frameOf = (cameraId: string) => {
    const camera = live.latest?.cameras.find((c) => c.id === cameraId);
    return camera?.width && camera.height ? { width: camera.width, height: camera.height } : undefined;
  };
  const renderList = () => {
    const shown = items.filter((e) => matchesPerson(e, filters.person));
    if (shown.length === 0) replace(list, h('li', { class: 'empty' }, 'No event matches.'));
    else replace(list, ...shown.map((e) => row(e, e.id === selectedId, () => select(e))));
  };
  const select = (event: EventItem) => {
    selectedId = event.id;
    replace(side, detail(event, frameOf(event.cameraId)));
    renderList();
  };
  const renderSightings = () => {
    const shown = sightings.filter((x) => sightingMatchesPerson(x, filters.person));
    if (shown.length === 0) replace(sightingsList, h('li', { class: 'empty' }, 'No sighting matches.'));
    else replace(sightingsList, ...shown.map((x) => sightingRow(x, () => replace(side, sightingDetail(x)))));
  };
  let sightingsAvailable = true;
  const refreshSightings = async (force: boolean) => {
    if (!sightingsAvailable) return;
    try {
      const page = await api.get<SightingPage>(`/sightings${query({ cameraId: filters.camera, since: filters.since, until: filters.until, limit: 100 })}`);
      if (stopped) return;
      const fresh = JSON.stringify(page.items.map((x) => x.id)) !== JSON.stringify(sightings.map((x) => x.id));
      sightings = page.items;
      if (fresh || force) renderSightings();
    } catch (error) {
      // A process without the cloud's face recognition (or a cloud before issue 12.5) has no /sightings.
      if (error instanceof ApiError && error.status === 404) {
        sightingsAvailable = false;
        sightingsPanel.remove();
      }
    }
  };
  let stopped = false;
  const refresh = async (force = false) => {
    void refreshSightings(force);
    try {
      const page = await api.get<EventPage>(`/events${query({ camera: filters.camera, kind: filters.kind, since: filters.since, until: filters.until, limit: 100 })}`);
      if (stopped) return;
      const fresh = JSON.stringify(page.items.map((e) => e.id)) !== JSON.stringify(items.map((e) => e.id));
      items = page.items;
      if (fresh || force) renderList();
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) notify(error.message, 'error');
    }
  };
  replace(container, h('div', { class: 'view-head' }, h('h2', {}, 'Events and sightings')), form, h('div', { class: 'columns events' }, h('div', {}, h('section', { class: 'panel' }, h('h3', {}, 'Alerts and events'), list), sightingsPanel), side));
  const unsubscribe = live.subscribe((sample) => replace(cameraIds, ...sample.cameras.map((c) => h('option', { value: c.id }))));
  void refresh();
  const timer = window.setInterval(() => void refresh(), REFRESH_MS);
  return () => {
    stopped = true;
    window.clearInterval(timer);
    unsubscribe();
  };
};
