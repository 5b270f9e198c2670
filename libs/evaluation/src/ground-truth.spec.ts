import { clipBox, iou } from '@sentinel/contracts';
import { GroundTruthError, parseMotGroundTruth } from './ground-truth';

describe('parseMotGroundTruth', () => {
  // Also covers what libs/detection/src/evaluation/person-matching.spec.ts asserted on its copy (same lines, same boxes).
  it('reads boxes per frame with ids, clips them to the image and marks flag 0 as ignored', () => {
    const gt = parseMotGroundTruth('20,9,412,178,31,75,1,0,0,0\n20,11,750,278,36.5,110,0,0,0,0\n\n40,1,-5,-5,10,10,1,0,0,0\n40,2,800,0,10,10,1,0,0,0\n', 768, 576);
    expect(gt.get(20)).toEqual([
      { id: 9, box: { x: 412, y: 178, width: 31, height: 75 }, ignore: false },
      { id: 11, box: { x: 750, y: 278, width: 18, height: 110 }, ignore: true },
    ]);
    // The box wholly outside the image is dropped.
    expect(gt.get(40)).toEqual([{ id: 1, box: { x: 0, y: 0, width: 5, height: 5 }, ignore: false }]);
  });

  it('names the malformed line', () => {
    expect(() => parseMotGroundTruth('20,1,0,0,10,10,1\nframe,id,x\n', 100, 100)).toThrow(new GroundTruthError('ground truth line 2 is not "frame,id,x,y,w,h,flag,...": "frame,id,x"'));
    expect(() => parseMotGroundTruth('0,1,0,0,10,10,1\n', 100, 100)).toThrow(/line 1/);
  });
});

describe('geometry', () => {
  it('computes IoU by hand: 10x10 boxes shifted by 5 share 50 of 150', () => {
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(1 / 3, 12);
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 10, height: 10 })).toBe(0);
  });

  it('clips to the image', () => {
    expect(clipBox({ x: -2, y: 95, width: 10, height: 10 }, 100, 100)).toEqual({ x: 0, y: 95, width: 8, height: 5 });
  });
});
