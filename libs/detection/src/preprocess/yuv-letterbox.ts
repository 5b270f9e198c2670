import { BT601 } from '@sentinel/contracts';

const { yScale: Y_SCALE, rv: RV, gu: GU, gv: GV, bu: BU, round: ROUND } = BT601;

/** Where each output column (or row) samples the source: the two neighbours and the second's weight in 1/256. */
interface Taps {
  first: Int32Array;
  second: Int32Array;
  weight: Int32Array;
}

/** Bilinear taps of `to` output samples over `from` source samples (pixel centres aligned, as OpenCV's INTER_LINEAR and sharp do). */
function taps(from: number, to: number): Taps {
  const first = new Int32Array(to);
  const second = new Int32Array(to);
  const weight = new Int32Array(to);
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    const at = Math.min(from - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    first[i] = Math.floor(at);
    second[i] = Math.min(from - 1, first[i] + 1);
    weight[i] = Math.round((at - first[i]) * 256);
  }
  return { first, second, weight };
}

/** One scaled row as clamped R, G and B planes (reused: valid until the next row). */
export interface ScaledRow {
  red: Uint8ClampedArray;
  green: Uint8ClampedArray;
  blue: Uint8ClampedArray;
}

/**
 * Scales a yuv420p frame (BT.601 limited range) to `width` x `height` RGB, one output row at a time:
 * luma bilinear, chroma of the nearest source pixel (its own resolution is half the frame's, about
 * the output's at the usual model sizes), converted as yuv420pToRgb24 does. The conversion runs at
 * the output size only: the pre-processor's way to a model input from a video frame without
 * converting the whole frame first (InputTensor.fillRows writes the rows straight into the input).
 * The taps are computed once per geometry.
 */
export class YuvLetterboxScaler {
  private geometry = '';
  private columns!: Taps;
  private rows!: Taps;
  private row: ScaledRow = { red: new Uint8ClampedArray(0), green: new Uint8ClampedArray(0), blue: new Uint8ClampedArray(0) };
  private yuv: Uint8Array = new Uint8Array(0);
  private sourceWidth = 0;
  private uPlane = 0;
  private vPlane = 0;
  private chromaWidth = 0;

  /** Starts scaling `yuv` (sourceWidth x sourceHeight) to width x height; then `scaledRow(y)` for each output row. */
  begin(yuv: Uint8Array, sourceWidth: number, sourceHeight: number, width: number, height: number): void {
    const geometry = `${sourceWidth}x${sourceHeight}>${width}x${height}`;
    if (geometry !== this.geometry) {
      this.columns = taps(sourceWidth, width);
      this.rows = taps(sourceHeight, height);
      this.row = { red: new Uint8ClampedArray(width), green: new Uint8ClampedArray(width), blue: new Uint8ClampedArray(width) };
      this.geometry = geometry;
    }
    this.yuv = yuv;
    this.sourceWidth = sourceWidth;
    this.chromaWidth = Math.ceil(sourceWidth / 2);
    this.uPlane = sourceWidth * sourceHeight;
    this.vPlane = this.uPlane + this.chromaWidth * Math.ceil(sourceHeight / 2);
  }

  /** Output row `y` of the frame given to `begin`. */
  scaledRow(y: number): ScaledRow {
    const { yuv, sourceWidth, uPlane, vPlane, chromaWidth, row } = this;
    const { first: c0, second: c1, weight: cw } = this.columns;
    const { red, green, blue } = row;
    const top = this.rows.first[y] * sourceWidth;
    const bottom = this.rows.second[y] * sourceWidth;
    const wy = this.rows.weight[y];
    const chromaRow = ((wy >= 128 ? this.rows.second[y] : this.rows.first[y]) >> 1) * chromaWidth;
    for (let x = 0; x < red.length; x++) {
      const a = c0[x];
      const b = c1[x];
      const wx = cw[x];
      const upper = yuv[top + a] * (256 - wx) + yuv[top + b] * wx;
      const lower = yuv[bottom + a] * (256 - wx) + yuv[bottom + b] * wx;
      const luma = (((upper * (256 - wy) + lower * wy) >> 16) - 16) * Y_SCALE + ROUND;
      const c = chromaRow + ((wx >= 128 ? b : a) >> 1);
      const u = yuv[uPlane + c] - 128;
      const v = yuv[vPlane + c] - 128;
      red[x] = (luma + RV * v) >> 10;
      green[x] = (luma + GU * u + GV * v) >> 10;
      blue[x] = (luma + BU * u) >> 10;
    }
    return row;
  }

  /** The whole scaled image as interleaved rgb24 (tests and tools; the pre-processor takes rows). */
  scale(yuv: Uint8Array, sourceWidth: number, sourceHeight: number, width: number, height: number): Uint8Array {
    this.begin(yuv, sourceWidth, sourceHeight, width, height);
    const out = new Uint8Array(width * height * 3);
    for (let y = 0, o = 0; y < height; y++) {
      const { red, green, blue } = this.scaledRow(y);
      for (let x = 0; x < width; x++, o += 3) {
        out[o] = red[x];
        out[o + 1] = green[x];
        out[o + 2] = blue[x];
      }
    }
    return out;
  }
}
