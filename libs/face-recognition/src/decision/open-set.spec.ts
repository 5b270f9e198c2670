import { decide, passesQualityGate, poolTrack } from './open-set';
import { TrackBook, TrackFace } from './track-book';

const face = (scores: Record<string, number>, weight = 1): { people: { ownerId: string; similarity: number }[]; weight: number } => ({
  people: Object.entries(scores).map(([ownerId, similarity]) => ({ ownerId, similarity })),
  weight,
});
const thresholds = { upper: 0.3, lower: 0.2 };

describe('open-set decision (pure)', () => {
  it('pools a track per person: weighted mean of the best k similarities, best person first', () => {
    const pooled = poolTrack([face({ amy: 0.4, raj: 0.1 }), face({ amy: 0.2, raj: 0.15 }, 3), face({ amy: 0.35 }, 2)], 2);
    expect(pooled.map((p) => p.personId)).toEqual(['amy', 'raj']);
    expect(pooled[0]).toEqual({ personId: 'amy', similarity: (0.4 * 1 + 0.35 * 2) / 3, faces: 2 });
    expect(pooled[1].similarity).toBeCloseTo((0.15 * 3 + 0.1) / 4, 9);
    expect(poolTrack([face({ amy: 0.9 }, 0), face({ amy: 0.1 }, Number.NaN)], 3)).toEqual([]);
  });

  it('decides with two thresholds: named at or above upper, unknown below lower, undecided between', () => {
    expect(decide([{ personId: 'amy', similarity: 0.3, faces: 1 }], thresholds)).toEqual({ decision: 'named', personId: 'amy', similarity: 0.3, faces: 1 });
    expect(decide([{ personId: 'amy', similarity: 0.25, faces: 1 }], thresholds)).toMatchObject({ decision: 'undecided', nearest: { personId: 'amy' } });
    expect(decide([{ personId: 'amy', similarity: 0.2, faces: 1 }], thresholds).decision).toBe('undecided');
    expect(decide([{ personId: 'amy', similarity: 0.19, faces: 1 }], thresholds)).toMatchObject({ decision: 'unknown', nearest: { similarity: 0.19 } });
    expect(decide([], thresholds)).toEqual({ decision: 'unknown' });
    expect(() => decide([], { upper: 0.2, lower: 0.3 })).toThrow(/above the upper/);
  });

  it('one bad frame makes neither a name nor an intruder once the track has several faces', () => {
    // Three good faces of amy, then one odd frame that looks like raj: still amy.
    const good = [face({ amy: 0.45, raj: 0.1 }), face({ amy: 0.4, raj: 0.1 }), face({ amy: 0.42, raj: 0.12 })];
    expect(decide(poolTrack([...good, face({ amy: 0.05, raj: 0.6 })], 3), thresholds)).toMatchObject({ decision: 'named', personId: 'amy' });
    // A stranger's faces, then one frame that happens to match amy: the pool stays unknown.
    const stranger = [face({ amy: 0.1 }), face({ amy: 0.12 }), face({ amy: 0.08 })];
    expect(decide(poolTrack([...stranger, face({ amy: 0.45 }, 0.5)], 3), thresholds).decision).toBe('unknown');
  });

  it('gates evidence on face size and quality score', () => {
    const gate = { minFaceSize: 36, minFaceQuality: 0.4 };
    expect(passesQualityGate({ size: 36, score: 0.4 }, gate)).toBe(true);
    expect(passesQualityGate({ size: 10, score: 0.9 }, gate)).toBe(false);
    expect(passesQualityGate({ size: 120, score: 0.3 }, gate)).toBe(false);
  });
});

describe('TrackBook (per-track decisions)', () => {
  const book = () => new TrackBook<string>({ thresholds: () => thresholds, topK: 3, maxFacesPerTrack: 4, maxTracks: 3, idleMs: 1000 });
  const at = (t: number, scores: Record<string, number>, weight = 1, extra = `f${t}`): TrackFace<string> => ({ ...face(scores, weight), at: t, extra });

  it('keeps looking while undecided, names when the pool passes the upper threshold', () => {
    const tracks = book();
    expect(tracks.observe('cam#1', at(1, { amy: 0.22 }))).toMatchObject({ action: 'undecided', faces: 1 });
    expect(tracks.observe('cam#1', at(2, { amy: 0.25 }))).toMatchObject({ action: 'undecided', faces: 2 });
    expect(tracks.observe('cam#1', at(3, { amy: 0.6 }))).toEqual({ action: 'name', personId: 'amy', similarity: expect.closeTo((0.22 + 0.25 + 0.6) / 3, 9), faces: 3 });
  });

  it('raises one alert per stranger track, keeps its unknown id, and stays named after naming', () => {
    const tracks = book();
    expect(tracks.observe('cam#2', at(1, { amy: 0.05 }))).toEqual({ action: 'unknown', raiseAlert: true, nearest: { personId: 'amy', similarity: 0.05, faces: 1 }, faces: 1 });
    tracks.assignUnknown('cam#2', 'unknown-4');
    expect(tracks.observe('cam#2', at(2, { amy: 0.1 }))).toMatchObject({ action: 'unknown', unknownId: 'unknown-4', raiseAlert: false });
    expect(tracks.observe('cam#2', at(3, { amy: 0.25 }))).toMatchObject({ action: 'unknown', unknownId: 'unknown-4', raiseAlert: false });

    const named = book();
    named.observe('cam#3', at(1, { raj: 0.5 }));
    // A run of bad frames after naming: still raj (sticky), never an intruder.
    for (let t = 2; t < 8; t++) expect(named.observe('cam#3', at(t, { raj: 0.0 }, 5))).toMatchObject({ action: 'name', personId: 'raj' });
  });

  it('an unknown track that later pools above the upper threshold is named and its unknown is to be merged', () => {
    const tracks = book();
    tracks.observe('cam#4', at(1, { penny: 0.1 }));
    tracks.assignUnknown('cam#4', 'unknown-9');
    expect(tracks.observe('cam#4', at(2, { penny: 0.5 }, 2))).toEqual({ action: 'name', personId: 'penny', similarity: expect.closeTo((0.5 * 2 + 0.1) / 3, 9), faces: 2, mergeUnknownId: 'unknown-9' });
    // Merged once: the next faces name the track without another merge.
    expect(tracks.observe('cam#4', at(3, { penny: 0.55 }, 2))).not.toHaveProperty('mergeUnknownId');
  });

  it('re-points tracks of a merged unknown and clears those of a deleted one', () => {
    const tracks = book();
    tracks.observe('a', at(1, { amy: 0.0 }));
    tracks.assignUnknown('a', 'unknown-1');
    tracks.observe('b', at(1, { amy: 0.0 }));
    tracks.assignUnknown('b', 'unknown-2');
    tracks.unknownGone('unknown-1', 'amy');
    tracks.unknownGone('unknown-2');
    expect(tracks.observe('a', at(2, { amy: 0.0 }))).toMatchObject({ action: 'name', personId: 'amy' });
    expect(tracks.observe('b', at(2, { amy: 0.0 }))).toMatchObject({ action: 'unknown', raiseAlert: true });
  });

  it('asks for the thresholds on every decision and pools afresh after the similarity space changes', () => {
    let current = thresholds;
    const tracks = new TrackBook<string>({ thresholds: () => current, topK: 3, maxFacesPerTrack: 4, maxTracks: 3, idleMs: 1000 });
    expect(tracks.observe('x', at(1, { amy: 0.4 }))).toMatchObject({ action: 'name', personId: 'amy' });
    current = { upper: 0.63, lower: 0.54 };
    expect(tracks.observe('y', at(2, { amy: 0.4 }))).toMatchObject({ action: 'unknown', raiseAlert: true });
    expect(tracks.observe('z', at(3, { amy: 0.6 }))).toMatchObject({ action: 'undecided' });
    tracks.forgetFaces();
    // z's earlier 0.6 (another space) no longer counts; x stays named.
    expect(tracks.observe('z', at(4, { amy: 0.1 }))).toMatchObject({ action: 'unknown', faces: 1 });
    expect(tracks.observe('x', at(5, { amy: 0.1 }))).toMatchObject({ action: 'name', personId: 'amy', faces: 1 });
    current = { upper: 0.1, lower: 0.2 };
    expect(() => tracks.observe('x', at(6, { amy: 0.1 }))).toThrow(/above the match threshold/);
  });

  it('is bounded: faces per track (weakest dropped), tracks (least recently seen), idle tracks', () => {
    const tracks = book();
    for (let t = 0; t < 6; t++) tracks.observe('x', at(t, { amy: 0.5 }, t + 1));
    expect(tracks.bestFace('x')?.extra).toBe('f5');
    for (const key of ['p', 'q', 'r']) tracks.observe(key, at(10, { amy: 0.0 }));
    expect(tracks.size).toBe(3);
    expect(tracks.bestFace('x')).toBeUndefined();
    tracks.observe('s', at(5000, { amy: 0.0 }));
    expect(tracks.size).toBe(1);
    expect(() => new TrackBook({ thresholds: () => ({ upper: 0.1, lower: 0.2 }), topK: 1, maxFacesPerTrack: 1, maxTracks: 1, idleMs: 1 })).toThrow(/above the match threshold/);
  });
});
