import { poolTrack } from './open-set';
import { TrackBook, TrackFace } from './track-book';
import { decideAtTrackEnd } from './track-end';

const thresholds = { upper: 0.3, lower: 0.2 };
const rule = { endThreshold: 0.22, minMargin: 0.07 };
const pooled = (scores: Record<string, number>) =>
  Object.entries(scores)
    .map(([personId, similarity]) => ({ personId, similarity, faces: 2 }))
    .sort((a, b) => b.similarity - a.similarity);

describe('decision at track end (pure)', () => {
  it('a track never close enough to anyone is a stranger', () => {
    expect(decideAtTrackEnd(pooled({ amy: 0.215, raj: 0.1 }), thresholds, rule)).toMatchObject({
      decision: 'unknown',
      reason: 'far-from-everyone',
      nearest: { personId: 'amy' },
      second: { personId: 'raj' },
    });
    // The end threshold is never below the lower one: a rule value under it changes nothing.
    expect(decideAtTrackEnd(pooled({ amy: 0.205, raj: 0.1 }), thresholds, { endThreshold: 0.1, minMargin: 0 }).decision).toBe('undecided');
    // Nor above the upper one.
    expect(decideAtTrackEnd(pooled({ amy: 0.29, raj: 0.1 }), thresholds, { endThreshold: 0.5, minMargin: 0 }).decision).toBe('unknown');
    expect(decideAtTrackEnd([], thresholds, rule)).toEqual({ decision: 'unknown', reason: 'far-from-everyone' });
  });

  it('a track about as close to two people as to one is a stranger, with the margin as evidence', () => {
    const verdict = decideAtTrackEnd(pooled({ amy: 0.26, raj: 0.21, leo: 0.05 }), thresholds, rule);
    expect(verdict).toMatchObject({ decision: 'unknown', reason: 'no-clear-match', nearest: { personId: 'amy' }, second: { personId: 'raj' } });
    expect(verdict.margin).toBeCloseTo(0.05, 9);
    // Exactly at the margin: not a stranger (the rule is "below").
    expect(decideAtTrackEnd(pooled({ amy: 0.27, raj: 0.2 }), thresholds, { endThreshold: 0.22, minMargin: 0.0625 }).decision).toBe('undecided');
  });

  it('never names on weak evidence: close to one person but below the upper threshold stays undecided', () => {
    expect(decideAtTrackEnd(pooled({ amy: 0.29, raj: 0.1 }), thresholds, rule)).toMatchObject({ decision: 'undecided', reason: 'resembles-one-person', nearest: { personId: 'amy' } });
    // One person pooled: no margin, only the similarity decides.
    expect(decideAtTrackEnd(pooled({ amy: 0.25 }), thresholds, rule)).toEqual({ decision: 'undecided', reason: 'resembles-one-person', nearest: { personId: 'amy', similarity: 0.25, faces: 2 } });
    // At the upper threshold it is named, as during the track.
    expect(decideAtTrackEnd(pooled({ amy: 0.3, raj: 0.29 }), thresholds, rule)).toMatchObject({ decision: 'named', reason: 'matched', nearest: { personId: 'amy' } });
    expect(() => decideAtTrackEnd([], { upper: 0.2, lower: 0.3 }, rule)).toThrow(/above the upper/);
  });
});

describe('TrackBook track end', () => {
  const face = (t: number, scores: Record<string, number>): TrackFace<string> => ({
    people: Object.entries(scores).map(([ownerId, similarity]) => ({ ownerId, similarity })),
    weight: 1,
    at: t,
    extra: `f${t}`,
  });
  const book = (endAfterFaces = 0) =>
    new TrackBook<string>({ thresholds: () => thresholds, topK: 3, maxFacesPerTrack: 8, maxTracks: 10, idleMs: 10_000, endRule: () => rule, endAfterMs: 1000, endAfterFaces });

  it('ends an undecided track after endAfterMs without a face: a stranger once, with the end facts', () => {
    const tracks = book();
    expect(tracks.observe('s', face(0, { amy: 0.25, raj: 0.22 })).action).toBe('undecided');
    expect(tracks.observe('k', face(500, { amy: 0.27, raj: 0.05 })).action).toBe('undecided');
    expect(tracks.endIdle(999)).toEqual([]);
    const ended = tracks.endIdle(1000);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ key: 's', step: { action: 'unknown', raiseAlert: true, faces: 1, nearest: { personId: 'amy' }, end: { trigger: 'idle', reason: 'no-clear-match', second: { personId: 'raj' } } } });
    expect(tracks.endIdle(1000)).toEqual([]); // decided once
    // The other track ends later, for good undecided (it resembles amy only): no alert, and once.
    expect(tracks.endIdle(1600)).toEqual([{ key: 'k', step: expect.objectContaining({ action: 'undecided', end: expect.objectContaining({ reason: 'resembles-one-person' }) }) }]);
    expect(tracks.endIdle(5000)).toEqual([]);
    // The stranger track stays a stranger for its later faces, without a second alert.
    expect(tracks.observe('s', face(2000, { amy: 0.25 }))).toMatchObject({ action: 'unknown', raiseAlert: false });
    expect(tracks.unknownIdOf('s')).toBeUndefined();
    tracks.assignUnknown('s', 'unknown-7');
    expect(tracks.unknownIdOf('s')).toBe('unknown-7');
    expect(tracks.unknownIdOf('k')).toBeUndefined();
  });

  it('named and unknown tracks are not ended again; a track seen recently is not ended', () => {
    const tracks = book();
    tracks.observe('n', face(0, { amy: 0.4 }));
    tracks.observe('u', face(0, { amy: 0.1 }));
    tracks.observe('fresh', face(900, { amy: 0.25, raj: 0.24 }));
    expect(tracks.endIdle(1500)).toEqual([]);
    expect(tracks.endIdle(1900).map((e) => e.key)).toEqual(['fresh']);
  });

  it('decides an undecided track as at its end once it pools endAfterFaces faces', () => {
    const tracks = book(3);
    const pool = [face(1, { amy: 0.26, raj: 0.23 }), face(2, { amy: 0.24, raj: 0.22 })];
    for (const f of pool) expect(tracks.observe('s', f).action).toBe('undecided');
    const third = tracks.observe('s', face(3, { amy: 0.25, raj: 0.21 }));
    expect(third).toMatchObject({ action: 'unknown', raiseAlert: true, faces: 3, end: { trigger: 'faces', reason: 'no-clear-match' } });
    const expected = poolTrack([...pool, face(3, { amy: 0.25, raj: 0.21 })], 3);
    expect(third.action === 'unknown' && third.end?.margin).toBeCloseTo(expected[0].similarity - expected[1].similarity, 9);
    expect(tracks.endIdle(10_000)).toEqual([]);
  });

  it('without an end rule nothing ends', () => {
    const tracks = new TrackBook<string>({ thresholds: () => thresholds, topK: 3, maxFacesPerTrack: 8, maxTracks: 10, idleMs: 10_000, endAfterMs: 1000, endAfterFaces: 1 });
    expect(tracks.observe('s', face(0, { amy: 0.25, raj: 0.24 }))).toMatchObject({ action: 'undecided' });
    expect(tracks.endIdle(5000)).toEqual([]);
  });
});
