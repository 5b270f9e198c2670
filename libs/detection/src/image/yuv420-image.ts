import { BT601, yuv420pBytes, yuv420pToRgb24 } from '@sentinel/contracts';
import type { RgbImage } from './decode-image';
import { cropRgb } from './rgb-copy';

/**
 * A decoded video frame kept as ffmpeg gave it, yuv420p (BT.601 limited range), behind the RgbImage
 * interface. Converting a whole 768x576 frame to RGB costs more CPU than decoding it (bench:fog), and
 * most frames never need it whole: the pre-processor scales straight from the planes
 * (YuvLetterboxScaler), tracking, scene and face-quality checks sample pixels (rgbReader), crops take
 * their rectangle (`region`). `data`, the whole frame as rgb24, is converted on first use (Human's
 * face search, the annotated view, a canvas that regions are pasted into) and kept; `convertedRgb`
 * says whether that happened.
 */
export class Yuv420Image implements RgbImage {
  readonly channels = 3 as const;
  private rgb?: Buffer;

  constructor(
    readonly yuv: Buffer,
    readonly width: number,
    readonly height: number,
  ) {
    const expected = yuv420pBytes(width, height);
    if (yuv.length !== expected) throw new Error(`a ${width}x${height} yuv420p frame has ${expected} bytes, not ${yuv.length}`);
  }

  /** The whole frame as rgb24, converted on first use. */
  get data(): Buffer {
    if (!this.rgb) {
      const rgb = yuv420pToRgb24(this.yuv, this.width, this.height);
      this.rgb = Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength);
    }
    return this.rgb;
  }

  get convertedRgb(): boolean {
    return this.rgb !== undefined;
  }

  /** The rectangle (inside the frame) as an rgb24 image of its own, converting only its pixels unless the whole frame already is. */
  region(left: number, top: number, width: number, height: number): RgbImage {
    if (this.rgb) return cropRgb(this, left, top, width, height);
    const rgb = yuv420pToRgb24(this.yuv, this.width, this.height, { x: left, y: top, width, height });
    return { data: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), width, height, channels: 3 };
  }
}

/** The BT.601 limited-range conversion of one pixel, as yuv420pToRgb24 does it (10-bit fixed point, rounded, clamped). */
function pixelOf(image: Yuv420Image, x: number, y: number, out: Uint8Array): void {
  const { yuv, width, height } = image;
  const chromaWidth = Math.ceil(width / 2);
  const c = (y >> 1) * chromaWidth + (x >> 1);
  const u = yuv[width * height + c] - 128;
  const v = yuv[width * height + chromaWidth * Math.ceil(height / 2) + c] - 128;
  const luma = (yuv[y * width + x] - 16) * BT601.yScale + BT601.round;
  out[0] = clampByte((luma + BT601.rv * v) >> 10);
  out[1] = clampByte((luma + BT601.gu * u + BT601.gv * v) >> 10);
  out[2] = clampByte((luma + BT601.bu * u) >> 10);
}

const clampByte = (value: number): number => (value < 0 ? 0 : value > 255 ? 255 : value);

/** Writes the RGB of pixel (x, y) (inside the image) into `out[0..2]`. */
export type RgbReader = (x: number, y: number, out: Uint8Array) => void;

/** A reader of the image's pixels in whichever form it holds them, chosen once for a loop of samples. */
export function rgbReader(image: RgbImage): RgbReader {
  if (image instanceof Yuv420Image && !image.convertedRgb) return (x, y, out) => pixelOf(image, x, y, out);
  const { data, width } = image;
  return (x, y, out) => {
    const at = (y * width + x) * 3;
    out[0] = data[at];
    out[1] = data[at + 1];
    out[2] = data[at + 2];
  };
}
