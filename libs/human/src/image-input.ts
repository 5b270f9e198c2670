import type { Box } from '@sentinel/contracts';
import sharp from 'sharp';

/** Raw interleaved pixels (RGB or RGBA), row-major, `width * height * channels` bytes. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Encoded image bytes (JPEG, PNG, WebP, ...: anything sharp decodes) or raw pixels. */
export type ImageInput = Uint8Array | RawImage;


/** The input could not be decoded as an image (REST maps this to 400). */
export class InvalidImageError extends Error {
  constructor(reason: string) {
    super(`not a decodable image: ${reason}`);
    this.name = 'InvalidImageError';
  }
}

export interface PrepareOptions {
  /** Only look at this part of the image (clipped to it); result boxes stay in full-image pixels. */
  region?: Box;
  /** Grey border in pixels added around the image (tight face crops are found more reliably with ~40 px). */
  pad?: number;
  /** When `pad` is not given: border = `padRatio` x the shorter side of the (region of the) image, at most `padMax` (default 64) px. */
  padRatio?: number;
  padMax?: number;
}

/** The border `prepareImage` adds for an image (or region) of this size. */
export function paddingFor(width: number, height: number, options: PrepareOptions): number {
  if (options.pad !== undefined) return Math.max(0, Math.round(options.pad));
  if (!options.padRatio) return 0;
  return Math.max(0, Math.min(options.padMax ?? 64, Math.round(options.padRatio * Math.min(width, height))));
}

/** Decoded RGB pixels ready for a tensor, and how they map back to the caller's image. */
export interface PreparedImage {
  /** Interleaved RGB, `[height, width, 3]`. */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** Size of the caller's (full) image. */
  sourceWidth: number;
  sourceHeight: number;
  /** Add to a box's x/y in prepared pixels to get source pixels (region offset minus padding). */
  offsetX: number;
  offsetY: number;
}

/** Maximum decoded pixels accepted (guards against decompression bombs): 64 MP. */
export const MAX_INPUT_PIXELS = 64 * 1024 * 1024;

export function isRawImage(input: ImageInput): input is RawImage {
  return !(input instanceof Uint8Array);
}

/** Clips a box to `[0, width) x [0, height)` and rounds to whole pixels; null when nothing is left. */
export function clipBox(box: Box, width: number, height: number): Box | null {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.width));
  const y1 = Math.min(height, Math.ceil(box.y + box.height));
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function sourceOf(input: ImageInput): ReturnType<typeof sharp> {
  if (!isRawImage(input)) {
    return sharp(input, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS });
  }
  const { data, width, height, channels } = input;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidImageError(`raw image size ${width}x${height} is invalid`);
  }
  if (data.length !== width * height * channels) {
    throw new InvalidImageError(`raw image has ${data.length} bytes, expected ${width}x${height}x${channels} = ${width * height * channels}`);
  }
  return sharp(data, { raw: { width, height, channels } });
}

async function sizeOf(input: ImageInput): Promise<{ width: number; height: number }> {
  if (isRawImage(input)) return { width: input.width, height: input.height };
  try {
    const meta = await sharp(input, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    // EXIF orientations 5..8 rotate by 90 degrees: `.rotate()` below swaps the sides.
    const swapped = (meta.orientation ?? 1) >= 5;
    return swapped ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch (error) {
    throw new InvalidImageError((error as Error).message);
  }
}

/** Decodes (or takes) an image, applies region and padding, and returns RGB pixels. Throws InvalidImageError. */
export async function prepareImage(input: ImageInput, options: PrepareOptions = {}): Promise<PreparedImage> {
  if (!isRawImage(input) && input.length === 0) throw new InvalidImageError('empty input');
  if (isRawImage(input) && input.channels === 3 && !options.region && !options.pad && !options.padRatio) {
    // Hot path for the fog's decoded frames: no copy through sharp.
    sourceOf(input); // validates size and length
    return { rgb: input.data, width: input.width, height: input.height, sourceWidth: input.width, sourceHeight: input.height, offsetX: 0, offsetY: 0 };
  }
  const source = await sizeOf(input);
  const region = options.region ? clipBox(options.region, source.width, source.height) : { x: 0, y: 0, ...source };
  if (!region) throw new InvalidImageError('region lies outside the image');
  const pad = paddingFor(region.width, region.height, options);
  let pipeline = sourceOf(input).rotate();
  if (options.region) pipeline = pipeline.extract({ left: region.x, top: region.y, width: region.width, height: region.height });
  if (pad > 0) pipeline = pipeline.extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 128, g: 128, b: 128 } });
  try {
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      sourceWidth: source.width,
      sourceHeight: source.height,
      offsetX: region.x - pad,
      offsetY: region.y - pad,
    };
  } catch (error) {
    throw new InvalidImageError((error as Error).message);
  }
}

/** Maps a box in prepared-image pixels back to source pixels, clipped to the source image. */
export function toSourceBox(prepared: PreparedImage, box: Box): Box | null {
  return clipBox(
    { x: box.x + prepared.offsetX, y: box.y + prepared.offsetY, width: box.width, height: box.height },
    prepared.sourceWidth,
    prepared.sourceHeight,
  );
}
