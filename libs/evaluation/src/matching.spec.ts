import { addCounts, averagePrecision, countMatches, evaluateDetections, matchFrame, precisionRecall, trackCoverage } from './matching';
import { TruthBox } from './ground-truth';

const box = (x: number, y: number, width = 10, height = 10) => ({ x, y, width, height });
const truth: TruthBox[] = [
  { id: 1, box: box(0, 0), ignore: false },
  { id: 2, box: box(20, 0), ignore: false },
  { id: 3, box: box(40, 0), ignore: true },
];
const detections = [
  { box: box(1, 0), score: 0.9, trackId: 7 }, // IoU with id 1: 90 / 110 = 0.818 -> hit
  { box: box(0, 0), score: 0.8, trackId: 8 }, // id 1 already taken, nothing else -> false positive
  { box: box(40, 0), score: 0.7, trackId: 9 }, // on the ignored box -> ignored
  { box: box(20, 5), score: 0.6, trackId: 10 }, // IoU with id 2: 50 / 150 = 0.333 -> false positive
];

describe('matchFrame', () => {
  it('counts hits, false positives and ignored boxes, highest score first', () => {
    const match = matchFrame(detections, truth);
    expect(match.outcomes).toEqual(['tp', 'fp', 'ignored', 'fp']);
    expect(match.pairs).toEqual([{ truthId: 1, trackId: 7, score: 0.9 }]);
    expect(match.positives).toBe(2);
  });

  it('gives the box to the higher score whatever the input order', () => {
    const match = matchFrame([{ box: box(5, 0), score: 0.4 }, { box: box(0, 0), score: 0.6 }], truth);
    expect(match.outcomes).toEqual(['fp', 'tp']);
  });
});

describe('averagePrecision', () => {
  it('integrates the precision envelope over recall (hand computed: 1/3·1 + 1/3·2/3 = 5/9)', () => {
    const ap = averagePrecision([{ score: 0.9, truePositive: true }, { score: 0.8, truePositive: false }, { score: 0.7, truePositive: true }], 3);
    expect(ap).toBeCloseTo(5 / 9, 12);
  });

  it('is 1 for perfect detections, 0 with no hit, NaN without positives', () => {
    expect(averagePrecision([{ score: 0.5, truePositive: true }, { score: 0.4, truePositive: true }], 2)).toBe(1);
    expect(averagePrecision([{ score: 0.5, truePositive: false }], 2)).toBe(0);
    expect(averagePrecision([], 0)).toBeNaN();
  });
});

describe('evaluateDetections', () => {
  it('counts the people of a frame that never reached the detector as missed', () => {
    const result = evaluateDetections([
      { frame: 20, truth, detections },
      { frame: 40, truth: [...truth, { id: 4, box: box(60, 0), ignore: false }], detections: undefined },
    ]);
    expect(result).toMatchObject({ frames: 2, framesDetected: 1, positives: 5, missedUnforwarded: 3, truePositives: 1, falsePositives: 2, ignored: 1 });
    expect(result.precision).toBeCloseTo(1 / 3, 12);
    expect(result.recall).toBeCloseTo(1 / 5, 12);
    // Scored: 0.9 hit, 0.8 miss, 0.6 miss -> recall steps once to 0.2 at precision 1.
    expect(result.ap50).toBeCloseTo(0.2, 12);
    expect(result.pairs).toEqual([{ frame: 20, truthId: 1, trackId: 7 }]);
  });

  it('gives the same figures for a detected frame with no detection and for no frames at all', () => {
    const empty = evaluateDetections([{ frame: 1, truth, detections: [] }]);
    expect(empty).toMatchObject({ positives: 2, truePositives: 0, falsePositives: 0, missedUnforwarded: 0, recall: 0, ap50: 0 });
    expect(empty.precision).toBeNaN();
  });
});

describe('trackCoverage', () => {
  it('covers an identity matched by a track that had a crop delivered; ignored-only identities do not count', () => {
    const frames = new Map([[20, truth]]);
    const coverage = trackCoverage(frames, [{ truthId: 1, trackId: 7 }, { truthId: 2, trackId: 8 }, { truthId: 2 }], new Set([7, 99]));
    expect(coverage).toEqual({ identities: 2, covered: 1, coverage: 0.5, uncoveredIds: [2] });
  });
});

// Formerly libs/detection/src/evaluation/person-matching.spec.ts: the same cases through countMatches.
describe('countMatches', () => {
  const b = (x: number, y: number, width = 10, height = 20) => ({ x, y, width, height });

  it('counts hits, misses, false positives and ignored boxes', () => {
    const truth = [{ id: 1, box: b(0, 0), ignore: false }, { id: 2, box: b(100, 0), ignore: false }, { id: 3, box: b(200, 0), ignore: true }];
    const detections = [
      { box: b(1, 0), score: 0.9 }, // IoU 9*20 / (400 - 180) = 0.818 with truth 0: hit
      { box: b(0, 1), score: 0.5 }, // would match truth 0, already taken: false positive
      { box: b(200, 2), score: 0.8 }, // on the ignored box: ignored
      { box: b(400, 0), score: 0.7 }, // nothing there: false positive
    ];
    const counts = countMatches(matchFrame(detections, truth));
    expect(counts).toEqual({ truePositives: 1, falsePositives: 2, ignored: 1, positives: 2 });
    expect(precisionRecall(counts)).toEqual({ precision: 1 / 3, recall: 0.5 });
    expect(addCounts(counts, counts).positives).toBe(4);
  });

  it('gives the higher-scored detection the ground-truth box', () => {
    const counts = countMatches(matchFrame([{ box: b(5, 0), score: 0.4 }, { box: b(0, 0), score: 0.6 }], [{ id: 1, box: b(0, 0), ignore: false }]));
    expect(counts).toMatchObject({ truePositives: 1, falsePositives: 1 });
  });
});
