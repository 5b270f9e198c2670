import { EventItem, Sighting, isNamed, matchesPerson, parseLocalTime, sightingCropUrl, sightingMatchesPerson, sightingWho, unknownCropUrl, whoOf } from './events-model';

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

describe('identity sightings as the page shows them', () => {
  const sighting = (s: Partial<Sighting>): Sighting => ({ id: 1, cameraId: 'gate', trackId: 3, capturedAt: 0, decidedAt: 0, decision: 'named', identityId: 'p-1', name: 'Penny', similarity: 0.6, facesPooled: 2, faceSize: 80, faceQuality: 0.7, mergedFrom: null, ...s });

  it('names the person, the unknown, or says undecided with the nearest person', () => {
    expect(sightingWho(sighting({}))).toBe('Penny');
    expect(sightingWho(sighting({ decision: 'unknown', identityId: 'unknown-2', name: null }))).toBe('unknown-2');
    expect(sightingWho(sighting({ decision: 'undecided', name: 'Amy' }))).toBe('undecided (nearest: Amy)');
    expect(sightingCropUrl(sighting({ decision: 'unknown', identityId: 'unknown-2', name: null }))).toBe('/unknowns/unknown-2/crop.jpg');
    expect(sightingCropUrl(sighting({}))).toBeUndefined();
  });

  it('filters by person on the name or the id', () => {
    expect([sightingMatchesPerson(sighting({}), 'penny'), sightingMatchesPerson(sighting({}), 'amy'), sightingMatchesPerson(sighting({}), undefined)]).toEqual([true, false, true]);
  });
});
