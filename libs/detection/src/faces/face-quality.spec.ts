import type { RgbImage } from '../image/decode-image';
import { assessFace, frontalScore, greyPatch, laplacianSharpness, qualityScore, sizeScore } from './face-quality';

const options = { minFaceSize: 28, goodFaceSize: 80, sizeWeight: 0.35, scoreWeight: 0.15, sharpnessWeight: 0.25, frontalWeight: 0.25 };

/** A grey image from a function of (x, y) -> 0..255. */
function image(width: number, height: number, grey: (x: number, y: number) => number): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(Math.max(0, Math.min(255, Math.round(grey(x, y)))), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { data, width, height, channels: 3 };
}
const whole = (img: RgbImage) => ({ x: 0, y: 0, width: img.width, height: img.height });

describe('face quality scoring', () => {
  it('size: 0 at the minimum, 1 from the good size on, linear between', () => {
    expect(sizeScore(28, 28, 80)).toBe(0);
    expect(sizeScore(54, 28, 80)).toBeCloseTo(0.5);
    expect(sizeScore(200, 28, 80)).toBe(1);
  });

  it('weighs the measures, and a face below the minimum size scores 0 whatever else', () => {
    expect(qualityScore({ size: 80, detectorScore: 1, sharpness: 1, frontal: 1 }, options)).toBeCloseTo(1);
    expect(qualityScore({ size: 54, detectorScore: 0.8, sharpness: 0.6, frontal: 0.4 }, options)).toBeCloseTo(0.35 * 0.5 + 0.15 * 0.8 + 0.25 * 0.6 + 0.25 * 0.4);
    expect(qualityScore({ size: 27, detectorScore: 1, sharpness: 1, frontal: 1 }, options)).toBe(0);
    // A bigger face beats a smaller one of the same focus and pose.
    expect(qualityScore({ size: 70, detectorScore: 0.9, sharpness: 0.5, frontal: 0.5 }, options)).toBeGreaterThan(qualityScore({ size: 40, detectorScore: 0.9, sharpness: 0.5, frontal: 0.5 }, options));
  });

  it('sharpness: crisp edges score high, the same pattern blurred scores lower, a flat patch 0', () => {
    const checker = image(64, 64, (x, y) => (((x >> 2) + (y >> 2)) % 2 ? 200 : 50));
    const blurred = image(64, 64, (x, y) => 125 + 75 * Math.sin((x * Math.PI) / 16) * Math.sin((y * Math.PI) / 16));
    const flat = image(64, 64, () => 128);
    const crisp = laplacianSharpness(greyPatch(checker, whole(checker))!);
    const soft = laplacianSharpness(greyPatch(blurred, whole(blurred))!);
    expect(crisp).toBeGreaterThan(0.8);
    expect(soft).toBeLessThan(0.2);
    expect(laplacianSharpness(greyPatch(flat, whole(flat))!)).toBe(0);
    // Contrast does not matter: the same checkerboard at a quarter of the contrast scores the same.
    const faint = image(64, 64, (x, y) => (((x >> 2) + (y >> 2)) % 2 ? 143 : 106));
    expect(laplacianSharpness(greyPatch(faint, whole(faint))!)).toBeCloseTo(crisp, 1);
  });

  it('frontal: a mirror-symmetric square face scores high; a lopsided one or a narrow box low', () => {
    const symmetric = image(40, 40, (x, y) => 100 + 80 * Math.cos(((x - 19.5) * Math.PI) / 20) + y);
    const lopsided = image(40, 40, (x, y) => (x < 20 ? 40 + 4 * x : 200 - y * 3));
    expect(frontalScore(greyPatch(symmetric, whole(symmetric))!, whole(symmetric))).toBeGreaterThan(0.9);
    expect(frontalScore(greyPatch(lopsided, whole(lopsided))!, whole(lopsided))).toBeLessThan(0.3);
    expect(frontalScore(greyPatch(symmetric, whole(symmetric))!, { x: 0, y: 0, width: 16, height: 40 })).toBeLessThan(0.5);
  });

  it('assesses a face box of an image (box clipped, patch at most 64 px)', () => {
    const img = image(300, 200, (x, y) => (((x >> 3) + (y >> 3)) % 2 ? 220 : 30));
    const measured = assessFace(img, { x: 50, y: 20, width: 150, height: 160 }, 0.9, options);
    expect(measured.size).toBe(150);
    expect(measured.sharpness).toBeGreaterThan(0.5);
    expect(measured.score).toBeGreaterThan(0.5);
    expect(greyPatch(img, { x: 50, y: 20, width: 150, height: 160 })!.height).toBeLessThanOrEqual(64);
    expect(assessFace(img, { x: 400, y: 0, width: 30, height: 30 }, 0.9, options)).toMatchObject({ sharpness: 0, frontal: 0 });
  });
});
