import { CropPolicy, TrackCropState, decideCrop, searchDue } from './crop-policy';

const options = { maxPerTrack: 3, betterFactor: 1.25, retryIntervalMs: 400, searchEveryFrames: 5, maxSearchesPerFrame: 2, noFace: 'person' as const };
const box = (size: number) => ({ x: 0, y: 0, width: size, height: size });
const state = (fields: Partial<TrackCropState>): TrackCropState => ({ sent: 0, bestSentScore: 0, facesSeen: 0, lastSearchFrame: undefined, lastSearchAt: undefined, ...fields });

describe('decideCrop (the send decision)', () => {
  it('sends the first usable face, later ones only when clearly better, never past the budget', () => {
    expect(decideCrop(state({}), { face: 'usable', score: 0.3 }, options)).toEqual({ send: 'face' });
    expect(decideCrop(state({ sent: 1, bestSentScore: 0.4 }), { face: 'usable', score: 0.49 }, options)).toEqual({ send: 'nothing', why: 'not-better' }); // 0.49 < 0.5
    expect(decideCrop(state({ sent: 1, bestSentScore: 0.4 }), { face: 'usable', score: 0.5 }, options)).toEqual({ send: 'face' });
    expect(decideCrop(state({ sent: 3, bestSentScore: 0.2 }), { face: 'usable', score: 1 }, options)).toEqual({ send: 'nothing', why: 'limit' });
  });

  it('sends a person crop only as a first crop without a usable face (noFace: person); any face beats a person crop', () => {
    expect(decideCrop(state({}), { face: 'none' }, options)).toEqual({ send: 'person' });
    expect(decideCrop(state({}), { face: 'too-small' }, options)).toEqual({ send: 'person' });
    expect(decideCrop(state({ sent: 1 }), { face: 'too-small' }, options)).toEqual({ send: 'nothing', why: 'too-small' });
    expect(decideCrop(state({ sent: 1 }), { face: 'none' }, options)).toEqual({ send: 'nothing', why: 'no-face' });
    expect(decideCrop(state({ sent: 1, bestSentScore: 0 }), { face: 'usable', score: 0.05 }, options)).toEqual({ send: 'face' });
    expect(decideCrop(state({}), { face: 'too-small' }, { ...options, noFace: 'none' })).toEqual({ send: 'nothing', why: 'too-small' });
  });
});

describe('searchDue (the per-track search budget)', () => {
  it('is due when never searched, then only after searchEveryFrames frames and retryIntervalMs, while budget is left', () => {
    expect(searchDue(undefined, 0, 0, options)).toBe(true);
    const searched = state({ lastSearchFrame: 10, lastSearchAt: 1000 });
    expect(searchDue(searched, 14, 2000, options)).toBe(false); // 4 frames
    expect(searchDue(searched, 15, 1300, options)).toBe(false); // 300 ms
    expect(searchDue(searched, 15, 1400, options)).toBe(true);
    expect(searchDue({ ...searched, sent: 3 }, 100, 100_000, options)).toBe(false);
  });
});

describe('CropPolicy', () => {
  it('keeps looking over a track life: round-robin over the tracks due, at most maxSearchesPerFrame per frame', () => {
    const policy = new CropPolicy(options);
    const tracks = [1, 2, 3, 4].map((trackId) => ({ trackId, box: box(10 * trackId), score: 0.9 }));
    const searchedIn: number[][] = [];
    for (let frame = 0; frame < 12; frame++) {
      const picked = policy.pickSearches(tracks, frame, frame * 100).map((c) => c.trackId);
      for (const id of picked) policy.decide(id, frame, frame * 100, { face: 'none' });
      searchedIn.push(picked);
    }
    // New tracks first (largest first), then the longest unsearched; never more than 2 per frame.
    expect(searchedIn.slice(0, 2)).toEqual([[4, 3], [2, 1]]);
    expect(Math.max(...searchedIn.map((p) => p.length))).toBe(2);
    // Every track is searched again later (not only when its box grows), each at most every 5 frames.
    for (const id of [1, 2, 3, 4]) {
      const frames = searchedIn.flatMap((p, f) => (p.includes(id) ? [f] : []));
      expect(frames.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < frames.length; i++) expect(frames[i] - frames[i - 1]).toBeGreaterThanOrEqual(5);
    }
  });

  it('counts usable faces seen, records what was sent, and forgets a track', () => {
    const policy = new CropPolicy(options);
    expect(policy.decide(7, 0, 0, { face: 'usable', score: 0.4 })).toEqual({ send: 'face' });
    policy.recordSent(7, 'face', 0.4);
    expect(policy.decide(7, 5, 500, { face: 'too-small' })).toEqual({ send: 'nothing', why: 'too-small' });
    expect(policy.decide(7, 10, 1000, { face: 'usable', score: 0.45 })).toEqual({ send: 'nothing', why: 'not-better' });
    expect(policy.state(7)).toMatchObject({ sent: 1, bestSentScore: 0.4, facesSeen: 2, lastSearchFrame: 10 });
    policy.forget(7);
    expect(policy.state(7).sent).toBe(0);
  });
});
