import { computeLetterbox } from '../geometry/letterbox';
import { float16BitsToFloat32 } from '../model/float16';
import { FamilyInputs } from '../model/model-family';
import { InputTensor } from './input-tensor';

/** A 2x1 image: pixel 0 is (255, 0, 51), pixel 1 is (0, 102, 255). */
const twoPixels = Uint8Array.from([255, 0, 51, 0, 102, 255]);

describe('InputTensor', () => {
  it('letterboxes RGB /255 into planes with pad 114 centred (Ultralytics)', () => {
    const input = new InputTensor(4, 'float32', FamilyInputs.yolov8);
    // A 2x1 image in a 4x4 input: ratio 2 -> 4x2 image... use the resized size directly: 2x1 placed at pad (1, 1).
    const lb = { ...computeLetterbox(2, 1, 4, 'center'), width: 2, height: 1, padX: 1, padY: 1 };
    input.fill(twoPixels, lb);
    const data = input.data as Float32Array;
    const pad = 114 / 255;
    // Plane R: row 1, columns 1 and 2.
    expect(data[0]).toBeCloseTo(pad, 6);
    expect(data[1 * 4 + 1]).toBeCloseTo(1, 6);
    expect(data[1 * 4 + 2]).toBeCloseTo(0, 6);
    // Plane G.
    expect(data[16 + 5]).toBeCloseTo(0, 6);
    expect(data[16 + 6]).toBeCloseTo(102 / 255, 6);
    // Plane B.
    expect(data[32 + 5]).toBeCloseTo(51 / 255, 6);
    expect(data[32 + 6]).toBeCloseTo(1, 6);
    expect(data[32 + 15]).toBeCloseTo(pad, 6);
  });

  it('writes BGR 0..255 top-left (YOLOX)', () => {
    const input = new InputTensor(4, 'float32', FamilyInputs.yolox);
    const lb = computeLetterbox(2, 1, 4, 'top-left'); // 4x2 at (0, 0)
    expect(lb).toMatchObject({ width: 4, height: 2, padX: 0, padY: 0 });
    const resized = new Uint8Array(4 * 2 * 3).fill(10);
    resized[0] = 200; // R of pixel (0, 0)
    resized[2] = 7; // B of pixel (0, 0)
    input.fill(resized, lb);
    const data = input.data as Float32Array;
    expect(data[0]).toBe(7); // plane 0 is blue
    expect(data[32]).toBe(200); // plane 2 is red
    expect(data[8]).toBe(114); // row 2 is padding
    expect(data[16 + 15]).toBe(114);
  });

  it('encodes float16 and repaints padding only when the geometry changes', () => {
    const input = new InputTensor(4, 'float16', FamilyInputs.yolov5);
    const lbA = { ...computeLetterbox(2, 1, 4, 'center'), width: 2, height: 1, padX: 0, padY: 0 };
    input.fill(twoPixels, lbA);
    const data = input.data as Uint16Array;
    expect(float16BitsToFloat32(data[0])).toBe(1);
    expect(float16BitsToFloat32(data[5])).toBeCloseTo(114 / 255, 3);
    const lbB = { ...lbA, padX: 2, padY: 3 };
    input.fill(twoPixels, lbB);
    expect(float16BitsToFloat32(data[0])).toBeCloseTo(114 / 255, 3);
    expect(float16BitsToFloat32(data[3 * 4 + 2])).toBe(1);
  });

  it('rejects a resized image of the wrong size', () => {
    const input = new InputTensor(4, 'float32', FamilyInputs.yolov8);
    expect(() => input.fill(new Uint8Array(5), computeLetterbox(2, 1, 4, 'center'))).toThrow(/expected 4x2x3/);
  });
});
