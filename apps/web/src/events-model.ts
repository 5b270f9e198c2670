/** The events API's items and the page's filters over them (pure). */

export interface BoxLike {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EventItem {
  id: string;
  kind: string;
  cameraId: string;
  priority: string;
  at: number;
  capturedAt: number;
  subject?: string;
  label?: string;
  trackId?: number;
  score?: number;
  boxes?: BoxLike[];
  message?: string;
  details?: Record<string, unknown>;
  notified: boolean;
  groupId: string;
  snapshotUrl: string | null;
}

export interface EventPage {
  items: EventItem[];
  nextCursor: string | null;
}

export interface EventFilters {
  camera?: string;
  kind?: string;
  person?: string;
  since?: number;
  until?: number;
}

export const UNKNOWN_PREFIX = 'unknown-';

/** Who an event is about: the person's name, an unknown's id, or the object class. */
export function whoOf(event: EventItem): string {
  if (event.kind === 'identity') return event.label || event.subject || 'someone';
  return event.subject || event.label || '';
}

/** An identity of the gallery (known person) rather than a stranger. */
export function isNamed(event: EventItem): boolean {
  return event.kind === 'identity' && !!event.subject && !event.subject.startsWith(UNKNOWN_PREFIX);
}

/** The stored face crop of the event's unknown, if it is one. */
export function unknownCropUrl(event: EventItem): string | undefined {
  const subject = event.subject;
  return subject?.startsWith(UNKNOWN_PREFIX) ? `/unknowns/${encodeURIComponent(subject)}/crop.jpg` : undefined;
}

/** The person filter runs in the page (the events API filters by camera, kind and time). */
export function matchesPerson(event: EventItem, person: string | undefined): boolean {
  if (!person) return true;
  const needle = person.trim().toLowerCase();
  return [event.label, event.subject].some((value) => value?.toLowerCase().includes(needle));
}

/** Parses a `datetime-local` input value as local time; undefined when empty or invalid. */
export function parseLocalTime(value: string): number | undefined {
  if (!value) return undefined;
  const at = new Date(value).getTime();
  return Number.isNaN(at) ? undefined : at;
}

/** One identity decision of the cloud (GET /sightings, added by issue 12.5). */
export interface Sighting {
  id: number;
  cameraId: string;
  trackId: number;
  capturedAt: number;
  decidedAt: number;
  decision: 'named' | 'unknown' | 'undecided' | string;
  identityId: string | null;
  name: string | null;
  similarity: number;
  facesPooled: number;
  faceSize: number;
  faceQuality: number;
  mergedFrom: string | null;
}

export interface SightingPage {
  items: Sighting[];
  total: number;
  nextOffset: number | null;
}

/** Who a sighting is: the person's name, the unknown's id, or the nearest person of an undecided one. */
export function sightingWho(sighting: Sighting): string {
  if (sighting.decision === 'undecided') return `undecided${sighting.name ? ` (nearest: ${sighting.name})` : ''}`;
  return sighting.name ?? sighting.identityId ?? 'someone';
}

export function sightingMatchesPerson(sighting: Sighting, person: string | undefined): boolean {
  if (!person) return true;
  const needle = person.trim().toLowerCase();
  return [sighting.name, sighting.identityId].some((value) => value?.toLowerCase().includes(needle));
}

export function sightingCropUrl(sighting: Sighting): string | undefined {
  const id = sighting.identityId;
  return sighting.decision === 'unknown' && id?.startsWith(UNKNOWN_PREFIX) ? `/unknowns/${encodeURIComponent(id)}/crop.jpg` : undefined;
}
