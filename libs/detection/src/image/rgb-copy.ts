import type { RgbImage } from './decode-image';

/**
 * Copies the `width` x `height` block at (sx, sy) of `source` to (dx, dy) of `target`, row by row.
 * The caller keeps both blocks inside their images.
 */
export function copyBlock(source: RgbImage, sx: number, sy: number, width: number, height: number, target: RgbImage, dx: number, dy: number): void {
  const rowBytes = width * 3;
  for (let r = 0; r < height; r++) {
    const from = ((sy + r) * source.width + sx) * 3;
    source.data.copy(target.data, ((dy + r) * target.width + dx) * 3, from, from + rowBytes);
  }
}

/** A copy of the `width` x `height` block at (x, y) of `source` (inside it) as an image of its own. */
export function cropRgb(source: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  const image: RgbImage = { data: Buffer.allocUnsafe(width * height * 3), width, height, channels: 3 };
  copyBlock(source, x, y, width, height, image, 0, 0);
  return image;
}

/** A copy of the whole image in a buffer of its own. */
export function copyImage(source: RgbImage): RgbImage {
  return { data: Buffer.from(source.data), width: source.width, height: source.height, channels: 3 };
}
