import { area, clipBox, expandBox, fitWithin, iou, pixelRect } from './box';
import { computeLetterbox, inputBoxToSource } from './letterbox';
import { pointInPolygon } from './polygon';

describe('box geometry', () => {
  it('computes IoU of overlapping, disjoint, touching and identical boxes', () => {
    // Overlap 5x5 = 25; union 100 + 100 - 25 = 175.
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 })).toBeCloseTo(25 / 175, 10);
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 20, y: 0, width: 10, height: 10 })).toBe(0);
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 10, height: 10 })).toBe(0);
    expect(iou({ x: 3, y: 4, width: 7, height: 2 }, { x: 3, y: 4, width: 7, height: 2 })).toBe(1);
    expect(iou({ x: 0, y: 0, width: 0, height: 0 }, { x: 0, y: 0, width: 0, height: 0 })).toBe(0);
  });

  it('clips boxes to the image', () => {
    expect(clipBox({ x: -5, y: 10, width: 20, height: 100 }, 100, 50)).toEqual({ x: 0, y: 10, width: 15, height: 40 });
    expect(clipBox({ x: 120, y: 10, width: 20, height: 10 }, 100, 50)).toEqual({ x: 100, y: 10, width: 0, height: 10 });
    expect(area(clipBox({ x: 120, y: 10, width: 20, height: 10 }, 100, 50))).toBe(0);
  });

  it('expands by a margin and turns boxes into clipped pixel rectangles', () => {
    expect(expandBox({ x: 10, y: 20, width: 40, height: 80 }, 0.25)).toEqual({ x: 0, y: 0, width: 60, height: 120 });
    expect(pixelRect({ x: 9.5, y: -3, width: 10.2, height: 20 }, 100, 100)).toEqual({ left: 9, top: 0, width: 11, height: 17 });
    expect(pixelRect({ x: 100, y: 0, width: 10, height: 10 }, 100, 100)).toBeNull();
  });

  it('fits sizes within a longest side without enlarging', () => {
    expect(fitWithin(320, 160, 160)).toEqual({ width: 160, height: 80 });
    expect(fitWithin(40, 100, 160)).toEqual({ width: 40, height: 100 });
  });
});

describe('letterbox', () => {
  it('centres a 768x576 frame in 640 (Ultralytics): 640x480 with 80 rows above and below', () => {
    const lb = computeLetterbox(768, 576, 640, 'center');
    expect(lb).toMatchObject({ width: 640, height: 480, padX: 0, padY: 80 });
    expect(lb.scaleX).toBeCloseTo(640 / 768, 12);
    expect(lb.scaleY).toBeCloseTo(480 / 576, 12);
  });

  it('anchors a 768x576 frame top-left in 416 (YOLOX): 416x312, no leading padding', () => {
    expect(computeLetterbox(768, 576, 416, 'top-left')).toMatchObject({ width: 416, height: 312, padX: 0, padY: 0 });
  });

  it('handles portrait and odd padding', () => {
    // 100x300 into 64: ratio 64/300, width round(21.33) = 21, padX floor(43/2) = 21.
    expect(computeLetterbox(100, 300, 64, 'center')).toMatchObject({ width: 21, height: 64, padX: 21, padY: 0 });
  });

  it('maps input boxes back to source pixels', () => {
    const lb = computeLetterbox(768, 576, 640, 'center');
    const back = inputBoxToSource({ x: 0, y: 80, width: 640, height: 480 }, lb);
    expect(back.x).toBeCloseTo(0, 9);
    expect(back.y).toBeCloseTo(0, 9);
    expect(back.width).toBeCloseTo(768, 9);
    expect(back.height).toBeCloseTo(576, 9);
    const mid = inputBoxToSource({ x: 320, y: 320, width: 10, height: 10 }, lb);
    expect(mid.x).toBeCloseTo(384, 9);
    expect(mid.y).toBeCloseTo(288, 9);
    expect(mid.width).toBeCloseTo(12, 9);
  });

  it('rejects empty sizes', () => {
    expect(() => computeLetterbox(0, 10, 640, 'center')).toThrow(/positive sizes/);
  });
});

describe('pointInPolygon', () => {
  const square: [number, number][] = [[0, 0], [10, 0], [10, 10], [0, 10]];
  const ell: [number, number][] = [[0, 0], [10, 0], [10, 4], [4, 4], [4, 10], [0, 10]];
  it('tells inside from outside, also for concave shapes', () => {
    expect(pointInPolygon(5, 5, square)).toBe(true);
    expect(pointInPolygon(15, 5, square)).toBe(false);
    expect(pointInPolygon(2, 8, ell)).toBe(true);
    expect(pointInPolygon(8, 8, ell)).toBe(false);
  });
});
