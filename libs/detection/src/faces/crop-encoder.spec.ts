import sharp from 'sharp';
import { CropRefusedError, assertNotAFrame, encodeCrop } from './crop-encoder';

/** A 400x300 image with noise, so JPEG sizes are realistic. */
function noisyImage(width = 400, height = 300) {
  const data = Buffer.alloc(width * height * 3);
  let seed = 7;
  for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 23;
  return { data, width, height, channels: 3 as const };
}

describe('encodeCrop', () => {
  it('cuts the clipped box, fits it within maxSide without enlarging, and encodes JPEG', async () => {
    const image = noisyImage();
    const crop = await encodeCrop(image, { x: -10, y: 100, width: 210, height: 100 }, { maxSide: 100, quality: 80, maxBytes: 64 * 1024 });
    expect(crop.rect).toEqual({ left: 0, top: 100, width: 200, height: 100 });
    expect([crop.width, crop.height]).toEqual([100, 50]);
    const meta = await sharp(crop.jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 100, 50]);
    const small = await encodeCrop(image, { x: 0, y: 0, width: 20, height: 30 }, { maxSide: 100, quality: 80, maxBytes: 64 * 1024 });
    expect([small.width, small.height]).toEqual([20, 30]);
  });

  it('lowers the quality to fit maxBytes and refuses when even quality 10 is too big', async () => {
    const image = noisyImage();
    const roomy = await encodeCrop(image, { x: 0, y: 0, width: 160, height: 160 }, { maxSide: 160, quality: 95, maxBytes: 512 * 1024 });
    const tight = await encodeCrop(image, { x: 0, y: 0, width: 160, height: 160 }, { maxSide: 160, quality: 95, maxBytes: Math.floor(roomy.jpeg.length / 2) });
    expect(tight.jpeg.length).toBeLessThanOrEqual(roomy.jpeg.length / 2);
    await expect(encodeCrop(image, { x: 0, y: 0, width: 160, height: 160 }, { maxSide: 160, quality: 80, maxBytes: 100 })).rejects.toBeInstanceOf(CropRefusedError);
    await expect(encodeCrop(image, { x: 500, y: 0, width: 10, height: 10 }, { maxSide: 160, quality: 80, maxBytes: 100_000 })).rejects.toThrow(/outside the image/);
  });
});

describe('assertNotAFrame', () => {
  it('accepts crops strictly smaller than the frame in both dimensions and within the byte limit', () => {
    expect(() => assertNotAFrame({ width: 767, height: 575, bytes: 100 }, { width: 768, height: 576 }, 1000)).not.toThrow();
    expect(() => assertNotAFrame({ width: 768, height: 100, bytes: 100 }, { width: 768, height: 576 }, 1000)).toThrow(/not smaller than the 768x576 frame/);
    expect(() => assertNotAFrame({ width: 100, height: 576, bytes: 100 }, { width: 768, height: 576 }, 1000)).toThrow(CropRefusedError);
    expect(() => assertNotAFrame({ width: 10, height: 10, bytes: 1001 }, { width: 768, height: 576 }, 1000)).toThrow(/exceeds the 1000-byte limit/);
  });
});
