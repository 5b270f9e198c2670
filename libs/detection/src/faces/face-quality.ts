import type { Box } from '../geometry/box';
import { pixelRect } from '../geometry/box';
import type { RgbImage } from '../image/decode-image';
import { rgbReader } from '../image/yuv420-image';

/** How much each measure counts in a face's quality score (normalised to sum 1). */
export interface FaceQualityWeights {
  sizeWeight: number;
  scoreWeight: number;
  sharpnessWeight: number;
  frontalWeight: number;
}

export interface FaceQualityOptions extends FaceQualityWeights {
  /** Smaller face side (px) below which a face is not usable: its quality score is 0. */
  minFaceSize: number;
  /** Smaller face side (px) from which size adds nothing more. */
  goodFaceSize: number;
}

/** What the fog measures on one face (all 0..1 but the size); the contract's FaceQuality. */
export interface FaceMeasures {
  /** Overall score, 0..1. */
  score: number;
  /** Smaller side of the face box, px. */
  size: number;
  sharpness: number;
  frontal: number;
}

/** A grey patch (luma, 0..255) of an image region, box-averaged down so its longer side is at most maxSide. */
export interface GreyPatch {
  data: Float32Array;
  width: number;
  height: number;
}

/** Size term: 0 at minFaceSize, 1 at goodFaceSize and above, linear between. */
export function sizeScore(size: number, minFaceSize: number, goodFaceSize: number): number {
  return clamp01((size - minFaceSize) / (goodFaceSize - minFaceSize));
}

/** Weighted mean of the size term, detector score, sharpness and frontal; 0 for a face below the minimum size. */
export function qualityScore(m: { size: number; detectorScore: number; sharpness: number; frontal: number }, o: FaceQualityOptions): number {
  if (m.size < o.minFaceSize) return 0;
  const total = o.sizeWeight + o.scoreWeight + o.sharpnessWeight + o.frontalWeight;
  if (total <= 0) return 0;
  const sum = o.sizeWeight * sizeScore(m.size, o.minFaceSize, o.goodFaceSize) + o.scoreWeight * clamp01(m.detectorScore) + o.sharpnessWeight * clamp01(m.sharpness) + o.frontalWeight * clamp01(m.frontal);
  return clamp01(sum / total);
}

/** The region's luma, averaged over blocks so the patch is at most maxSide on its longer side. Null when the box is outside the image. */
export function greyPatch(image: RgbImage, box: Box, maxSide = 64): GreyPatch | null {
  const rect = pixelRect(box, image.width, image.height);
  if (!rect) return null;
  const step = Math.max(1, Math.ceil(Math.max(rect.width, rect.height) / maxSide));
  const width = Math.max(1, Math.floor(rect.width / step));
  const height = Math.max(1, Math.floor(rect.height / step));
  const data = new Float32Array(width * height);
  const pixel = new Uint8Array(3);
  const readRgb = rgbReader(image);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      let sum = 0;
      for (let dy = 0; dy < step; dy++) {
        for (let dx = 0; dx < step; dx++) {
          readRgb(rect.left + px * step + dx, rect.top + py * step + dy, pixel);
          sum += 0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2];
        }
      }
      data[py * width + px] = sum / (step * step);
    }
  }
  return { data, width, height };
}

/**
 * Laplacian energy (mean squared 4-neighbour Laplacian) over the patch's contrast (variance), mapped to
 * 0..1 by e / (e + SHARPNESS_HALF): independent of brightness and contrast, high for crisp edges, low
 * for blur. SHARPNESS_HALF is the energy ratio of the face images of ../shared/data/faces blurred with
 * a 1.5 px Gaussian (README), so a clearly blurred face scores about 0.5 or less.
 */
export function laplacianSharpness(patch: GreyPatch): number {
  const { data, width, height } = patch;
  if (width < 3 || height < 3) return 0;
  let mean = 0;
  for (const v of data) mean += v;
  mean /= data.length;
  let variance = 0;
  for (const v of data) variance += (v - mean) ** 2;
  variance /= data.length;
  let energy = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap = 4 * data[i] - data[i - 1] - data[i + 1] - data[i - width] - data[i + width];
      energy += lap * lap;
    }
  }
  energy /= (width - 2) * (height - 2);
  const ratio = energy / (variance + 1);
  return ratio / (ratio + SHARPNESS_HALF);
}

export const SHARPNESS_HALF = 0.4;

/**
 * How frontal a face looks, from its pixels (blazeface gives no landmarks without the mesh): the
 * correlation of the patch's left half with its mirrored right half (a face turned away is not
 * mirror-symmetric), times how square the box is (a profile's box is narrow). 0..1.
 */
export function frontalScore(patch: GreyPatch, box: Box): number {
  const { data, width, height } = patch;
  const half = Math.floor(width / 2);
  if (half < 2 || height < 2) return 0;
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < half; x++) {
      sa += data[y * width + x];
      sb += data[y * width + width - 1 - x];
      n++;
    }
  }
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < half; x++) {
      const a = data[y * width + x] - ma;
      const b = data[y * width + width - 1 - x] - mb;
      cov += a * b;
      va += a * a;
      vb += b * b;
    }
  }
  const symmetry = va > 0 && vb > 0 ? Math.max(0, cov / Math.sqrt(va * vb)) : 0;
  const squareness = Math.min(box.width, box.height) / Math.max(box.width, box.height, 1e-9);
  return clamp01(symmetry * squareness);
}

/** Every quality measure of a face box in an image. */
export function assessFace(image: RgbImage, box: Box, detectorScore: number, options: FaceQualityOptions): FaceMeasures {
  const size = Math.min(box.width, box.height);
  const patch = greyPatch(image, box);
  const sharpness = patch ? laplacianSharpness(patch) : 0;
  const frontal = patch ? frontalScore(patch, box) : 0;
  return { score: qualityScore({ size, detectorScore, sharpness, frontal }, options), size, sharpness, frontal };
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}
