import sharp from 'sharp';
import { Box, fitWithin, pixelRect } from '../geometry/box';
import { RgbImage } from '../image/decode-image';
import { Yuv420Image } from '../image/yuv420-image';

export interface EncodedCrop {
  jpeg: Buffer;
  width: number;
  height: number;
  /** The pixels of the source image the crop shows. */
  rect: { left: number; top: number; width: number; height: number };
}

export interface CropEncodeOptions {
  maxSide: number;
  quality: number;
  maxBytes: number;
}

/** A crop that would reveal the whole frame (or could not be made small enough) is refused. */
export class CropRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CropRefusedError';
  }
}

/**
 * The invariant of the fog-to-cloud link: a crop is strictly smaller than the frame in both
 * dimensions and within the byte budget. Checked on every crop before it is emitted.
 */
export function assertNotAFrame(crop: { width: number; height: number; bytes: number }, frame: { width: number; height: number }, maxBytes: number): void {
  if (crop.width >= frame.width || crop.height >= frame.height) {
    throw new CropRefusedError(`crop ${crop.width}x${crop.height} is not smaller than the ${frame.width}x${frame.height} frame`);
  }
  if (crop.bytes > maxBytes) throw new CropRefusedError(`crop of ${crop.bytes} bytes exceeds the ${maxBytes}-byte limit`);
}

/**
 * Cuts `box` (source pixels, clipped) out of a decoded image, scales it to fit `maxSide` (never
 * enlarging) and encodes JPEG, lowering the quality in steps until it fits `maxBytes`.
 */
export async function encodeCrop(image: RgbImage, box: Box, options: CropEncodeOptions): Promise<EncodedCrop> {
  const rect = pixelRect(box, image.width, image.height);
  if (!rect) throw new CropRefusedError('crop box lies outside the image');
  const size = fitWithin(rect.width, rect.height, options.maxSide);
  // A video frame still in yuv420p gives just the crop's pixels in RGB; any other image is cut by sharp.
  const yuv = image instanceof Yuv420Image && !image.convertedRgb;
  const source = yuv ? image.region(rect.left, rect.top, rect.width, rect.height) : image;
  const pixels = await sharp(source.data, { raw: { width: source.width, height: source.height, channels: 3 } })
    .extract(yuv ? { left: 0, top: 0, width: rect.width, height: rect.height } : rect)
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer();
  for (let quality = options.quality; ; quality = Math.max(10, quality - 15)) {
    const jpeg = await sharp(pixels, { raw: { width: size.width, height: size.height, channels: 3 } }).jpeg({ quality, mozjpeg: false }).toBuffer();
    if (jpeg.length <= options.maxBytes) return { jpeg, width: size.width, height: size.height, rect };
    if (quality === 10) throw new CropRefusedError(`crop ${size.width}x${size.height} needs ${jpeg.length} bytes at quality 10 (limit ${options.maxBytes})`);
  }
}
