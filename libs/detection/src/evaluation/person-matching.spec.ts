import { addCounts, matchFrame, parseMotGroundTruth, precisionRecall } from './person-matching';

const b = (x: number, y: number, width = 10, height = 20) => ({ x, y, width, height });

describe('matchFrame', () => {
  it('counts hits, misses, false positives and ignored boxes', () => {
    const truth = [{ box: b(0, 0), ignore: false }, { box: b(100, 0), ignore: false }, { box: b(200, 0), ignore: true }];
    const detections = [
      { box: b(1, 0), score: 0.9 }, // IoU 9*20 / (400 - 180) = 0.818 with truth 0: hit
      { box: b(0, 1), score: 0.5 }, // would match truth 0, already taken: false positive
      { box: b(200, 2), score: 0.8 }, // on the ignored box: ignored
      { box: b(400, 0), score: 0.7 }, // nothing there: false positive
    ];
    const counts = matchFrame(detections, truth);
    expect(counts).toEqual({ truePositives: 1, falsePositives: 2, ignored: 1, positives: 2 });
    expect(precisionRecall(counts)).toEqual({ precision: 1 / 3, recall: 0.5 });
    expect(addCounts(counts, counts).positives).toBe(4);
  });

  it('gives the higher-scored detection the ground-truth box', () => {
    const counts = matchFrame([{ box: b(5, 0), score: 0.4 }, { box: b(0, 0), score: 0.6 }], [{ box: b(0, 0), ignore: false }]);
    expect(counts).toMatchObject({ truePositives: 1, falsePositives: 1 });
  });
});

describe('parseMotGroundTruth', () => {
  it('reads frames, clips boxes running past the edge and keeps flag 0 as ignored', () => {
    const gt = parseMotGroundTruth('20,9,412,178,31,75,1,0,0,0\n20,11,750,278,36.5,110,0,0,0,0\n40,1,-5,-5,10,10,1,0,0,0\n', 768, 576);
    expect(gt.get(20)).toEqual([
      { box: { x: 412, y: 178, width: 31, height: 75 }, ignore: false },
      { box: { x: 750, y: 278, width: 18, height: 110 }, ignore: true },
    ]);
    expect(gt.get(40)).toEqual([{ box: { x: 0, y: 0, width: 5, height: 5 }, ignore: false }]);
  });
});
