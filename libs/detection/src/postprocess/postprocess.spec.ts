import { computeLetterbox } from '../geometry/letterbox';
import { float32ToFloat16Bits } from '../model/float16';
import { float16Table } from '../model/float16';
import { ChannelMajorScratch, Candidate, decodeYolov5, decodeYolov8, decodeYolox, yoloxGrid } from './decode-outputs';
import { nmsPerClass } from './nms';
import { candidatesToFrame, finishDetections } from './postprocess';

const c = (classId: number, score: number, x1: number, y1: number, x2: number, y2: number): Candidate => ({ classId, score, x1, y1, x2, y2 });

describe('decodeYolov5', () => {
  // Two classes -> rows of 7: cx, cy, w, h, obj, cls0, cls1.
  const rows = [
    [100, 50, 20, 40, 0.9, 0.2, 0.8], // class 1, score 0.72
    [10, 10, 4, 4, 0.2, 1, 0], // objectness below 0.3: skipped
    [60, 60, 10, 10, 0.5, 0.5, 0.1], // class 0, score 0.25 < 0.3: skipped
  ];
  const data = Float32Array.from(rows.flat());

  it('multiplies objectness by the best class and turns centres into corners', () => {
    const out = decodeYolov5(data, 3, 7, { confidence: 0.3, allowed: null, half: null });
    expect(out).toHaveLength(1);
    expect(out[0].classId).toBe(1);
    expect(out[0].score).toBeCloseTo(0.72, 6);
    expect(out[0]).toMatchObject({ x1: 90, y1: 30, x2: 110, y2: 70 });
  });

  it('respects the class filter', () => {
    const out = decodeYolov5(data, 3, 7, { confidence: 0.1, allowed: Uint8Array.from([1, 0]), half: null });
    // Row 0 with class 0 only: 0.9 * 0.2 = 0.18; row 2: 0.25; row 1 objectness 0.2 -> 0.2.
    expect(out.map((o) => [o.classId, Number(o.score.toFixed(2))])).toEqual([[0, 0.18], [0, 0.2], [0, 0.25]]);
  });

  it('reads float16 output through the table', () => {
    const half = Uint16Array.from(rows.flat().map(float32ToFloat16Bits));
    const out = decodeYolov5(half, 3, 7, { confidence: 0.3, allowed: null, half: float16Table() });
    expect(out).toHaveLength(1);
    expect(out[0].score).toBeCloseTo(0.72, 2);
    expect(out[0].x1).toBeCloseTo(90, 1);
  });
});

describe('decodeYolox', () => {
  it('lays the grid out stride by stride, row-major (3549 cells for 416)', () => {
    const grid = yoloxGrid(416);
    expect(grid.gx.length).toBe(52 * 52 + 26 * 26 + 13 * 13);
    expect([grid.gx[53], grid.gy[53], grid.stride[53]]).toEqual([1, 1, 8]);
    expect([grid.gx[2704], grid.gy[2704], grid.stride[2704]]).toEqual([0, 0, 16]);
    expect([grid.gx[3548], grid.gy[3548], grid.stride[3548]]).toEqual([12, 12, 32]);
  });

  it('decodes grid-relative rows with strides and exp sizes', () => {
    const side = 32; // cells: 4x4 (s8) + 2x2 (s16) + 1x1 (s32) = 21
    const rowLength = 6; // one class
    const data = new Float32Array(21 * rowLength);
    // Row 5 = stride 8, cell (1, 1): x 0.5, y 0.25, w ln 2, h 0, obj 0.8, cls 0.5 -> score 0.4.
    data.set([0.5, 0.25, Math.log(2), 0, 0.8, 0.5], 5 * rowLength);
    // Row 20 = stride 32, cell (0, 0): score 0.9 x 0.9.
    data.set([0.5, 0.5, 0, 0, 0.9, 0.9], 20 * rowLength);
    const out = decodeYolox(data, 21, rowLength, side, { confidence: 0.3, allowed: null, half: null });
    expect(out).toHaveLength(2);
    // cx = (0.5 + 1) * 8 = 12, cy = (0.25 + 1) * 8 = 10, w = 2 * 8 = 16, h = 1 * 8 = 8.
    expect(out[0]).toMatchObject({ classId: 0, x1: expect.closeTo(4, 5), y1: 6, x2: expect.closeTo(20, 5), y2: 14 });
    expect(out[0].score).toBeCloseTo(0.4, 6);
    // cx = cy = 16, w = h = 32.
    expect(out[1]).toMatchObject({ x1: 0, y1: 0, x2: 32, y2: 32 });
  });

  it('refuses an output whose rows do not match the grid', () => {
    expect(() => decodeYolox(new Float32Array(60), 10, 6, 32, { confidence: 0.3, allowed: null, half: null })).toThrow(/21 grid cells/);
  });
});

describe('decodeYolov8', () => {
  it('reads channel-major output without objectness', () => {
    const cells = 3;
    // Channels: cx, cy, w, h, cls0, cls1; each a row of 3 cells.
    const data = Float32Array.from([
      10, 20, 30, // cx
      10, 20, 30, // cy
      4, 6, 8, // w
      2, 2, 2, // h
      0.9, 0.1, 0.2, // cls0
      0.29, 0.6, 0.25, // cls1
    ]);
    const scratch = new ChannelMajorScratch();
    const out = decodeYolov8(data, 6, cells, { confidence: 0.3, allowed: null, half: null }, scratch);
    expect(out.map((o) => [o.classId, o.score])).toEqual([[0, expect.closeTo(0.9, 6)], [1, expect.closeTo(0.6, 6)]]);
    expect(out[1]).toMatchObject({ x1: 17, y1: 19, x2: 23, y2: 21 });
    // Reusing the scratch gives the same answer; the class filter removes class 0.
    const filtered = decodeYolov8(data, 6, cells, { confidence: 0.3, allowed: Uint8Array.from([0, 1]), half: null }, scratch);
    expect(filtered.map((o) => o.classId)).toEqual([1]);
  });
});

describe('nmsPerClass', () => {
  it('keeps the best of overlapping boxes of one class only', () => {
    const boxes = [
      c(0, 0.8, 0, 0, 10, 10),
      c(0, 0.9, 1, 1, 11, 11), // IoU with the first = 81 / 119 = 0.68
      c(1, 0.7, 0, 0, 10, 10), // other class: kept
      c(0, 0.6, 20, 20, 30, 30), // far away: kept
      c(0, 0.5, 5, 0, 15, 10), // IoU with the 0.9 box: 54 / 146 = 0.37 < 0.45: kept
    ];
    const kept = nmsPerClass(boxes, 0.45);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.7, 0.6, 0.5]);
    expect(nmsPerClass(boxes, 0.3).map((k) => k.score)).toEqual([0.9, 0.7, 0.6]);
    expect(nmsPerClass(boxes, 0.45, 2)).toHaveLength(2);
  });
});

describe('candidatesToFrame and finishDetections', () => {
  it('undoes the letterbox, shifts regions, suppresses across regions and clips', () => {
    const lb = computeLetterbox(768, 576, 640, 'center'); // scale 5/6, padY 80
    const [whole] = candidatesToFrame([c(0, 0.9, 0, 80, 64, 160)], lb, { offsetX: 0, offsetY: 0 });
    expect(whole.x1).toBeCloseTo(0, 9);
    expect(whole.y1).toBeCloseTo(0, 9);
    expect(whole.x2).toBeCloseTo(76.8, 9);
    expect(whole.y2).toBeCloseTo(96, 9);

    // Two regions 100x100 at (100, 100) and (150, 100) see the same person; one input 100 -> 100 (scale 1).
    const rlb = computeLetterbox(100, 100, 100, 'center');
    const fromA = candidatesToFrame([c(0, 0.8, 50, 0, 100, 100)], rlb, { offsetX: 100, offsetY: 100 }); // frame 150..200
    const fromB = candidatesToFrame([c(0, 0.7, 0, 0, 52, 100)], rlb, { offsetX: 150, offsetY: 100, source: 1 }); // frame 150..202
    const edge = candidatesToFrame([c(2, 0.5, 90, 90, 130, 130)], rlb, { offsetX: 700, offsetY: 500 }); // past the frame
    const labels = ['person', 'bicycle', 'car'];
    const final = finishDetections([...fromA, ...fromB, ...edge], { nmsIou: 0.45, maxDetections: 10, frameWidth: 768, frameHeight: 576, labels });
    // The 0.7 box (IoU 50/52 with the 0.8 one) is suppressed; the car lies past the frame (x 790..830): dropped.
    expect(final).toEqual([{ classId: 0, label: 'person', score: 0.8, box: { x: 150, y: 100, width: 50, height: 100 }, source: 0 }]);
    const partly = finishDetections(candidatesToFrame([c(2, 0.5, 50, 50, 100, 100)], rlb, { offsetX: 700, offsetY: 500 }), {
      nmsIou: 0.45, maxDetections: 10, frameWidth: 768, frameHeight: 576, labels,
    });
    expect(partly).toEqual([{ classId: 2, label: 'car', score: 0.5, box: { x: 750, y: 550, width: 18, height: 26 }, source: 0 }]);
  });
});
