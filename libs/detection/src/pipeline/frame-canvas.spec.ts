import type { RgbImage } from '../image/decode-image';
import { FrameCanvas, pasteRegion } from './frame-canvas';

/** An image whose every pixel is (value, value, value). */
const solid = (width: number, height: number, value: number): RgbImage => ({ data: Buffer.alloc(width * height * 3, value), width, height, channels: 3 });
const pixel = (image: RgbImage, x: number, y: number): number[] => [...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3)];

describe('pasteRegion', () => {
  it('copies the region at its offset and leaves the rest alone', () => {
    const canvas = solid(8, 6, 0);
    const region = solid(3, 2, 0);
    for (let i = 0; i < region.data.length; i += 3) region.data.fill(i / 3 + 1, i, i + 3); // pixels 1..6, row-major
    pasteRegion(canvas, { image: region, offsetX: 4, offsetY: 3 });
    expect(pixel(canvas, 4, 3)).toEqual([1, 1, 1]);
    expect(pixel(canvas, 6, 3)).toEqual([3, 3, 3]);
    expect(pixel(canvas, 4, 4)).toEqual([4, 4, 4]);
    expect(pixel(canvas, 6, 4)).toEqual([6, 6, 6]);
    expect(pixel(canvas, 3, 3)).toEqual([0, 0, 0]);
    expect(pixel(canvas, 7, 3)).toEqual([0, 0, 0]);
    expect(pixel(canvas, 4, 5)).toEqual([0, 0, 0]);
    expect(canvas.data.reduce((sum, v) => sum + v, 0)).toBe(3 * (1 + 2 + 3 + 4 + 5 + 6));
  });

  it('cuts off the part of a region outside the canvas', () => {
    const canvas = solid(4, 4, 0);
    pasteRegion(canvas, { image: solid(3, 3, 9), offsetX: 2, offsetY: 3 });
    expect(pixel(canvas, 2, 3)).toEqual([9, 9, 9]);
    expect(pixel(canvas, 3, 3)).toEqual([9, 9, 9]);
    expect(canvas.data.reduce((sum, v) => sum + v, 0)).toBe(2 * 3 * 9);
    pasteRegion(canvas, { image: solid(2, 2, 5), offsetX: 10, offsetY: 0 });
    expect(canvas.data.reduce((sum, v) => sum + v, 0)).toBe(2 * 3 * 9);
  });
});

describe('FrameCanvas', () => {
  it('pastes regions that update the frame it holds, in a chain', () => {
    const canvas = new FrameCanvas();
    canvas.replace(solid(8, 8, 1), 10);
    const after12 = canvas.update([{ image: solid(2, 2, 7), offsetX: 0, offsetY: 0 }], 8, 8, 12, 10);
    expect(after12 && pixel(after12, 1, 1)).toEqual([7, 7, 7]);
    const after13 = canvas.update([{ image: solid(2, 2, 8), offsetX: 6, offsetY: 6 }], 8, 8, 13, 12);
    expect(after13 && [pixel(after13, 0, 0), pixel(after13, 7, 7), pixel(after13, 4, 4)]).toEqual([[7, 7, 7], [8, 8, 8], [1, 1, 1]]);
    expect(canvas.current).toBe(after13);
  });

  it('drops itself when regions do not follow the frame it holds (missed message, no base, other size)', () => {
    const canvas = new FrameCanvas();
    expect(canvas.update([], 8, 8, 1, 0)).toBeUndefined(); // nothing held yet (fog restarted)
    canvas.replace(solid(8, 8, 1), 10);
    expect(canvas.update([], 8, 8, 12, 11)).toBeUndefined(); // 11 never arrived
    expect(canvas.current).toBeUndefined();
    expect(canvas.update([], 8, 8, 13, 12)).toBeUndefined(); // stays out of step until a whole frame
    canvas.replace(solid(8, 8, 1), 14);
    expect(canvas.update([], 8, 8, 15, undefined)).toBeUndefined();
    canvas.replace(solid(8, 8, 1), 16);
    expect(canvas.update([], 16, 8, 17, 16)).toBeUndefined();
    canvas.replace(solid(8, 8, 1), 18);
    expect(canvas.update([], 8, 8, 18, 18)).toBeUndefined(); // not after its base
    canvas.replace(solid(8, 8, 1), 20);
    expect(canvas.update([], 8, 8, 21, 20)).toBeDefined();
  });
});
