import { yuv420pBytes, yuv420pToRgb24 } from './yuv420p';

/** A width x height yuv420p frame of one colour. */
function solid(width: number, height: number, y: number, u: number, v: number): Uint8Array {
  const frame = new Uint8Array(yuv420pBytes(width, height));
  frame.fill(y, 0, width * height);
  frame.fill(u, width * height, width * height + Math.ceil(width / 2) * Math.ceil(height / 2));
  frame.fill(v, width * height + Math.ceil(width / 2) * Math.ceil(height / 2));
  return frame;
}

describe('yuv420p to rgb24 (BT.601 limited range)', () => {
  it('maps black, white, grey and the primaries, clamping out-of-gamut values', () => {
    const px = (y: number, u: number, v: number) => [...yuv420pToRgb24(solid(2, 2, y, u, v), 2, 2).subarray(0, 3)];
    expect(px(16, 128, 128)).toEqual([0, 0, 0]);
    expect(px(235, 128, 128)).toEqual([255, 255, 255]);
    expect(px(126, 128, 128)).toEqual([128, 128, 128]);
    const red = px(81, 90, 240);
    expect(red[0]).toBeGreaterThan(250);
    expect(Math.max(red[1], red[2])).toBeLessThan(5);
    const blue = px(41, 240, 110);
    expect(blue[2]).toBeGreaterThan(250);
    expect(Math.max(blue[0], blue[1])).toBeLessThan(5);
    expect(px(255, 255, 255)).toEqual([255, 125, 255]);
    expect(px(0, 0, 0)).toEqual([0, 136, 0]);
  });

  it('converts a rectangle only, chroma from each pixel\'s 2x2 block, odd sizes rounded up', () => {
    const width = 5, height = 3;
    const frame = solid(width, height, 126, 128, 128);
    // The chroma block of pixels x 4, y 2 (the last, rounded-up one) is red-shifted.
    frame[width * height + 3 * 2 - 1] = 128;
    frame[yuv420pBytes(width, height) - 1] = 200;
    const rgb = yuv420pToRgb24(frame, width, height, { x: 3, y: 1, width: 2, height: 2 });
    expect(rgb.length).toBe(12);
    expect([...rgb.subarray(0, 3)]).toEqual([128, 128, 128]);
    expect(rgb[9]).toBeGreaterThan(200);
    expect(() => yuv420pToRgb24(new Uint8Array(10), width, height)).toThrow(/takes 27/);
  });
});
