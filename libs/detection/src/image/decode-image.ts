import sharp from 'sharp';

/** Decoded pixels: interleaved RGB, row-major, `[height, width, 3]`. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

export type ImageRejectReason = 'empty' | 'not-an-image' | 'corrupt' | 'too-many-pixels' | 'size-mismatch';

/** An input image the fog cannot use; `reason` is the drop counter's label. */
export class ImageRejectedError extends Error {
  constructor(
    readonly reason: ImageRejectReason,
    detail: string,
  ) {
    super(`image rejected (${reason}): ${detail}`);
    this.name = 'ImageRejectedError';
  }
}

function reasonOf(message: string): ImageRejectReason {
  if (/pixel limit/i.test(message)) return 'too-many-pixels';
  if (/empty/i.test(message)) return 'empty';
  if (/unsupported image format/i.test(message)) return 'not-an-image';
  return 'corrupt';
}

/**
 * Decodes JPEG (or any image sharp reads) to RGB. Truncated or corrupt data, non-image bytes and
 * images over `maxPixels` are rejected with an ImageRejectedError (libvips checks the pixel limit
 * from the header, before decoding).
 */
export async function decodeImage(bytes: Uint8Array, maxPixels: number): Promise<RgbImage> {
  if (!bytes || bytes.length === 0) throw new ImageRejectedError('empty', 'zero bytes');
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new ImageRejectedError(reasonOf(message), message);
  }
}

/** Checks decoded dimensions against what the message declared. */
export function expectSize(image: RgbImage, width: number, height: number, what: string): void {
  if (image.width !== width || image.height !== height) {
    throw new ImageRejectedError('size-mismatch', `${what} decoded to ${image.width}x${image.height}, the message says ${width}x${height}`);
  }
}
