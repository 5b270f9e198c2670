import { NO_PIXELS } from '../../postprocess/postprocess';
import { carriedDetections } from './carry-over';

describe('carriedDetections (what stays where it was outside the changed regions)', () => {
  const labels = ['person', 'bicycle'];
  const track = (x: number, y: number, classId = 0) => ({ classId, score: 0.8, box: { x, y, width: 40, height: 100 } });
  const region = { x: 100, y: 100, width: 200, height: 200 };

  it('carries the tracks lying mostly outside every changed region, without pixels', () => {
    const carried = carriedDetections([track(10, 10), track(120, 120), track(280, 150)], [region], [], labels);
    // 120,120 lies inside the region; 280,150 has 20 of its 40 px width inside (50%): carried.
    expect(carried).toEqual([
      { classId: 0, label: 'person', score: 0.8, box: { x: 10, y: 10, width: 40, height: 100 }, source: NO_PIXELS },
      { classId: 0, label: 'person', score: 0.8, box: { x: 280, y: 150, width: 40, height: 100 }, source: NO_PIXELS },
    ]);
    expect(carriedDetections([track(270, 150)], [region], [], labels)).toEqual([]); // 75% inside
  });

  it('adds up several regions, and leaves out what a region detection already found', () => {
    const left = { x: 0, y: 0, width: 25, height: 500 };
    const right = { x: 25, y: 0, width: 10, height: 500 };
    expect(carriedDetections([track(0, 0)], [left, right], [], labels)).toEqual([]); // 35 of 40 px changed
    const found = [{ classId: 0, label: 'person', score: 0.9, box: { x: 14, y: 12, width: 40, height: 100 }, source: 0 }];
    expect(carriedDetections([track(10, 10)], [], found, labels)).toEqual([]);
    expect(carriedDetections([track(10, 10, 1)], [], found, labels)).toHaveLength(1); // another class is another object
  });
});
