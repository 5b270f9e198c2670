import { CropPolicy, faceQuality } from './crop-policy';

const options = { maxPerTrack: 3, betterFactor: 1.5, retryIntervalMs: 1000, maxSearchesPerFrame: 2, noFace: 'person' as const };
const box = (size: number) => ({ x: 0, y: 0, width: size, height: size });

describe('CropPolicy', () => {
  it('sends the first face, then only clearly better ones, up to maxPerTrack', () => {
    const policy = new CropPolicy(options);
    const face = { score: 0.8, box: box(10) }; // quality 80
    expect(faceQuality(face.score, face.box)).toBe(80);
    expect(policy.decide(1, 0, box(50), face)).toEqual({ send: 'face' });
    policy.recordSent(1, 'face', face);
    expect(policy.decide(1, 1000, box(50), { score: 0.9, box: box(10) })).toEqual({ send: 'nothing', why: 'not-better' }); // 90 < 120
    expect(policy.decide(1, 2000, box(50), { score: 0.8, box: box(13) })).toEqual({ send: 'face' }); // 135 >= 120
    policy.recordSent(1, 'face', { score: 0.8, box: box(13) });
    policy.recordSent(1, 'face', { score: 0.9, box: box(20) });
    expect(policy.decide(1, 3000, box(50), { score: 1, box: box(100) })).toEqual({ send: 'nothing', why: 'limit' });
  });

  it('sends a person crop when no face is found at track start (noFace: person), nothing with noFace: none', () => {
    const paper = new CropPolicy(options);
    expect(paper.decide(1, 0, box(50), null)).toEqual({ send: 'person' });
    paper.recordSent(1, 'person', null);
    expect(paper.decide(1, 1000, box(50), null)).toEqual({ send: 'nothing', why: 'no-face' });
    // Any face beats a person crop.
    expect(paper.decide(1, 2000, box(50), { score: 0.5, box: box(2) })).toEqual({ send: 'face' });
    const strict = new CropPolicy({ ...options, noFace: 'none' });
    expect(strict.decide(1, 0, box(50), null)).toEqual({ send: 'nothing', why: 'no-face' });
  });

  it('picks new tracks first, re-searches a track only after retryIntervalMs and once its person grew, bounded per frame', () => {
    const policy = new CropPolicy(options);
    policy.decide(1, 0, box(60), { score: 0.9, box: box(10) });
    policy.recordSent(1, 'face', { score: 0.9, box: box(10) });
    const candidates = [
      { trackId: 1, box: box(100), score: 0.9 },
      { trackId: 2, box: box(10), score: 0.9 },
      { trackId: 3, box: box(20), score: 0.9 },
    ];
    expect(policy.pickSearches(candidates, 500).map((c) => c.trackId)).toEqual([3, 2]);
    expect(policy.pickSearches(candidates, 1000).map((c) => c.trackId)).toEqual([3, 2]); // new tracks first, bounded at 2
    policy.decide(2, 1000, box(10), null);
    policy.decide(3, 1000, box(20), null);
    // Track 1 grew from 60x60 (3600) to 100x100 (10000 >= 5400); tracks 2 and 3 did not grow.
    expect(policy.pickSearches(candidates, 2500).map((c) => c.trackId)).toEqual([1]);
    expect(policy.pickSearches([{ trackId: 1, box: box(70), score: 0.9 }], 2500)).toEqual([]);
    policy.forget(1);
    expect(policy.state(1).sent).toBe(0);
  });
});
