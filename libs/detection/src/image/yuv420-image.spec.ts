import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { yuv420pBytes, yuv420pToRgb24 } from '@sentinel/contracts';
import { encodeCrop } from '../faces/crop-encoder';
import { greyPatch } from '../faces/face-quality';
import { computeLetterbox } from '../geometry/letterbox';
import { FamilyInputs } from '../model/model-family';
import { Preprocessor } from '../preprocess/preprocessor';
import { YuvLetterboxScaler } from '../preprocess/yuv-letterbox';
import { boxHistogram } from '../tracking/appearance';
import { frameSignature } from '../tracking/scene-change';
import { decoderFfmpegPath } from '../video/h264-decoder';
import type { RgbImage } from './decode-image';
import { Yuv420Image, rgbReader } from './yuv420-image';

const W = 320;
const H = 240;

/** One frame of ffmpeg's moving test pattern as yuv420p, decoded by the bundled ffmpeg. */
function testFrame(): Buffer {
  return execFileSync(decoderFfmpegPath(), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=10`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1']);
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe('Yuv420Image (a video frame kept as the decoder gave it)', () => {
  const yuv = testFrame();
  const rgb: RgbImage = { data: Buffer.from(yuv420pToRgb24(yuv, W, H)), width: W, height: H, channels: 3 };

  it('converts to RGB only when the whole frame is asked for, and checks its size', () => {
    const image = new Yuv420Image(yuv, W, H);
    expect(image.convertedRgb).toBe(false);
    const pixel = new Uint8Array(3);
    const fromRgb = new Uint8Array(3);
    for (const [x, y] of [[0, 0], [17, 33], [W - 1, H - 1], [161, 120]]) {
      rgbReader(image)(x, y, pixel);
      rgbReader(rgb)(x, y, fromRgb);
      expect([...pixel]).toEqual([...fromRgb]);
    }
    const region = image.region(10, 20, 30, 16);
    expect(region.data.equals(Buffer.concat(Array.from({ length: 16 }, (_, r) => rgb.data.subarray(((20 + r) * W + 10) * 3, ((20 + r) * W + 40) * 3))))).toBe(true);
    expect(image.convertedRgb).toBe(false);
    expect(image.data.equals(rgb.data)).toBe(true);
    expect(image.convertedRgb).toBe(true);
    expect(image.region(10, 20, 30, 16).data.equals(region.data)).toBe(true);
    expect(() => new Yuv420Image(yuv.subarray(1), W, H)).toThrow(/320x240 yuv420p frame has 115200 bytes, not 115199/);
  });

  it('scales to a model input in one pass close to sharp resizing the converted frame', async () => {
    for (const [width, height] of [[208, 156], [416, 312], [W, H]]) {
      const scaled = new YuvLetterboxScaler().scale(yuv, W, H, width, height);
      const reference = width === W ? rgb.data : await sharp(rgb.data, { raw: { width: W, height: H, channels: 3 } }).resize(width, height, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
      expect(scaled.length).toBe(width * height * 3);
      // The test pattern is all sharp edges: the worst case for two different resamplers.
      expect(meanAbsDiff(scaled, reference)).toBeLessThan(width === W ? 0.01 : 6);
    }
  });

  it('fills the model input from the planes, without converting the frame, as the RGB path does', async () => {
    const fromYuv = new Preprocessor(416, 'float32', FamilyInputs.yolox);
    const fromRgb = new Preprocessor(416, 'float32', FamilyInputs.yolox);
    const image = new Yuv420Image(yuv, W, H);
    expect(await fromYuv.run(image)).toEqual(await fromRgb.run(rgb));
    expect(image.convertedRgb).toBe(false);
    const a = fromYuv.tensor.data as Float32Array;
    const b = fromRgb.tensor.data as Float32Array;
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
    expect(sum / a.length).toBeLessThan(6);
    expect(computeLetterbox(W, H, 416, FamilyInputs.yolox.anchor).width).toBe(416);
  });

  it('gives tracking, scene and face-quality checks the pixels of the RGB frame, and crops only the crop', async () => {
    const image = new Yuv420Image(yuv, W, H);
    const box = { x: 40, y: 30, width: 90, height: 120 };
    expect(boxHistogram(image, box)).toEqual(boxHistogram(rgb, box));
    expect(frameSignature(image)).toEqual(frameSignature(rgb));
    expect(greyPatch(image, box)).toEqual(greyPatch(rgb, box));
    const options = { maxSide: 64, quality: 80, maxBytes: 100_000 };
    const [fromYuv, fromRgb] = await Promise.all([encodeCrop(image, box, options), encodeCrop(rgb, box, options)]);
    expect(fromYuv.jpeg.equals(fromRgb.jpeg)).toBe(true);
    expect(image.convertedRgb).toBe(false);
    expect(yuv.length).toBe(yuv420pBytes(W, H));
  });
});
