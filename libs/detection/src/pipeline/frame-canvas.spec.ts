import type { RgbImage } from '../image/decode-image';
import { AtlasPlacement, FrameCanvas, cutRegions, placementFits } from './frame-canvas';

/** An image whose every pixel is (value, value, value). */
const solid = (width: number, height: number, value: number): RgbImage => ({ data: Buffer.alloc(width * height * 3, value), width, height, channels: 3 });
const pixel = (image: RgbImage, x: number, y: number): number[] => [...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3)];
const sum = (image: RgbImage): number => image.data.reduce((total, v) => total + v, 0);

/** A 3x2 atlas whose pixels are 1..6 (row-major). */
function numberedAtlas(): RgbImage {
  const atlas = solid(3, 2, 0);
  for (let i = 0; i < 6; i++) atlas.data.fill(i + 1, i * 3, i * 3 + 3);
  return atlas;
}

describe('placementFits', () => {
  const frame = { width: 100, height: 50 };
  const atlas = { width: 32, height: 16 };
  it('checks the frame first, then the atlas', () => {
    expect(placementFits({ x: 90, y: 40, width: 10, height: 10, atlasX: 0, atlasY: 0 }, frame, atlas)).toBe('ok');
    expect(placementFits({ x: 91, y: 40, width: 10, height: 10, atlasX: 0, atlasY: 0 }, frame, atlas)).toBe('outside-frame');
    expect(placementFits({ x: 0, y: 41, width: 10, height: 10, atlasX: 30, atlasY: 0 }, frame, atlas)).toBe('outside-frame');
    expect(placementFits({ x: 0, y: 0, width: 10, height: 10, atlasX: 23, atlasY: 0 }, frame, atlas)).toBe('outside-atlas');
    expect(placementFits({ x: 0, y: 0, width: 10, height: 10, atlasX: 0, atlasY: 7 }, frame, atlas)).toBe('outside-atlas');
  });
});

describe('cutRegions', () => {
  it('copies each region out of the atlas, placed at its frame position', () => {
    const [region] = cutRegions(numberedAtlas(), [{ x: 40, y: 30, width: 2, height: 2, atlasX: 1, atlasY: 0 }]);
    expect({ offsetX: region.offsetX, offsetY: region.offsetY, width: region.image.width, height: region.image.height }).toEqual({ offsetX: 40, offsetY: 30, width: 2, height: 2 });
    expect([pixel(region.image, 0, 0), pixel(region.image, 1, 0), pixel(region.image, 0, 1), pixel(region.image, 1, 1)]).toEqual([[2, 2, 2], [3, 3, 3], [5, 5, 5], [6, 6, 6]]);
  });
});

describe('FrameCanvas', () => {
  it('pastes regions from the atlas into the frame it holds, at their frame positions, in a chain', () => {
    const canvas = new FrameCanvas();
    canvas.replace(solid(8, 6, 0), 10);
    const whole: AtlasPlacement = { x: 4, y: 3, width: 3, height: 2, atlasX: 0, atlasY: 0 };
    const after12 = canvas.update(numberedAtlas(), [whole], 8, 6, 12, 10)!;
    expect(pixel(after12, 4, 3)).toEqual([1, 1, 1]);
    expect(pixel(after12, 6, 3)).toEqual([3, 3, 3]);
    expect(pixel(after12, 4, 4)).toEqual([4, 4, 4]);
    expect(pixel(after12, 6, 4)).toEqual([6, 6, 6]);
    expect(pixel(after12, 3, 3)).toEqual([0, 0, 0]);
    expect(pixel(after12, 7, 3)).toEqual([0, 0, 0]);
    expect(sum(after12)).toBe(3 * (1 + 2 + 3 + 4 + 5 + 6));
    // The next message pastes the atlas's bottom-right pixel at the frame's corner, on top of the last.
    const after13 = canvas.update(numberedAtlas(), [{ x: 0, y: 0, width: 1, height: 1, atlasX: 2, atlasY: 1 }], 8, 6, 13, 12)!;
    expect(pixel(after13, 0, 0)).toEqual([6, 6, 6]);
    expect(pixel(after13, 4, 3)).toEqual([1, 1, 1]);
    expect(canvas.current).toBe(after13);
  });

  it('drops itself when regions do not follow the frame it holds (missed message, no base, other size)', () => {
    const canvas = new FrameCanvas();
    const atlas = solid(4, 4, 9);
    expect(canvas.update(atlas, [], 8, 8, 1, 0)).toBeUndefined(); // nothing held yet (fog restarted)
    canvas.replace(solid(8, 8, 1), 10);
    expect(canvas.update(atlas, [], 8, 8, 12, 11)).toBeUndefined(); // 11 never arrived
    expect(canvas.current).toBeUndefined();
    expect(canvas.update(atlas, [], 8, 8, 13, 12)).toBeUndefined(); // stays out of step until a whole frame
    canvas.replace(solid(8, 8, 1), 14);
    expect(canvas.update(atlas, [], 8, 8, 15, undefined)).toBeUndefined();
    canvas.replace(solid(8, 8, 1), 16);
    expect(canvas.update(atlas, [], 16, 8, 17, 16)).toBeUndefined();
    canvas.replace(solid(8, 8, 1), 18);
    expect(canvas.update(atlas, [], 8, 8, 18, 18)).toBeUndefined(); // not after its base
    canvas.replace(solid(8, 8, 1), 20);
    expect(canvas.update(atlas, [], 8, 8, 21, 20)).toBeDefined();
  });

  it('never writes an image it shared: the next paste goes into a copy, later pastes into that copy', () => {
    const canvas = new FrameCanvas();
    const held = canvas.replace(solid(4, 4, 0), 1);
    const shown = canvas.share()!;
    expect(shown).toBe(held);
    const next = canvas.update(solid(2, 2, 7), [{ x: 0, y: 0, width: 2, height: 2, atlasX: 0, atlasY: 0 }], 4, 4, 2, 1)!;
    expect(next).not.toBe(shown);
    expect(sum(shown)).toBe(0);
    expect(pixel(next, 1, 1)).toEqual([7, 7, 7]);
    expect(pixel(next, 3, 3)).toEqual([0, 0, 0]);
    // Not shared since: pasted in place (no copy per message).
    const third = canvas.update(solid(1, 1, 5), [{ x: 3, y: 3, width: 1, height: 1, atlasX: 0, atlasY: 0 }], 4, 4, 3, 2)!;
    expect(third).toBe(next);
    expect(pixel(third, 3, 3)).toEqual([5, 5, 5]);
  });
});
