import { EventItem, isNamed, matchesPerson, parseLocalTime, unknownCropUrl, whoOf } from './events-model';

const event = (e: Partial<EventItem>): EventItem => ({ id: 'e', kind: 'identity', cameraId: 'gate', priority: 'low', at: 0, capturedAt: 0, notified: false, groupId: 'e', snapshotUrl: null, ...e });

describe('events as the page shows them', () => {
  it('names the person of an identity, the unknown of an intruder', () => {
    const penny = event({ subject: '6f1c-uuid', label: 'Penny' });
    const stranger = event({ kind: 'intruder', subject: 'unknown-3', label: 'unknown face', priority: 'alert' });
    expect([whoOf(penny), isNamed(penny)]).toEqual(['Penny', true]);
    expect([whoOf(stranger), isNamed(stranger), unknownCropUrl(stranger)]).toEqual(['unknown-3', false, '/unknowns/unknown-3/crop.jpg']);
    expect(isNamed(event({ subject: 'unknown-3' }))).toBe(false);
  });

  it('filters by person on the name or the id, case-insensitively', () => {
    const penny = event({ subject: 'p-1', label: 'Penny' });
    expect([matchesPerson(penny, 'pen'), matchesPerson(penny, 'P-1'), matchesPerson(penny, 'amy'), matchesPerson(penny, undefined)]).toEqual([true, true, false, true]);
  });

  it('reads a datetime-local value, or nothing', () => {
    expect(parseLocalTime('2026-12-01T10:00')).toBe(new Date(2026, 11, 1, 10, 0).getTime());
    expect([parseLocalTime(''), parseLocalTime('not a time')]).toEqual([undefined, undefined]);
  });
});
