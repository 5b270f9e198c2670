import { Letterbox } from '../geometry/letterbox';
import { float32ToFloat16Bits } from '../model/float16';
import { FamilyInput } from '../model/model-family';
import type { ScaledRow } from './yuv-letterbox';

export type InputElementType = 'float32' | 'float16';

/**
 * The model's input tensor [1, 3, side, side], planar (NCHW), allocated once and refilled per frame.
 * float16 models get Uint16Array bit patterns. Each byte value maps through a 256-entry table that
 * already holds the family's scaling (and float16 encoding), so filling is one lookup per value.
 * The padding is written only when the letterbox geometry changes: frames of one camera share it.
 */
export class InputTensor {
  readonly data: Float32Array | Uint16Array;
  private readonly byteToValue: Float32Array | Uint16Array;
  private readonly padCode: number;
  private lastGeometry = '';

  constructor(
    readonly side: number,
    readonly elementType: InputElementType,
    private readonly family: FamilyInput,
  ) {
    const size = 3 * side * side;
    this.data = elementType === 'float16' ? new Uint16Array(size) : new Float32Array(size);
    this.byteToValue = elementType === 'float16' ? new Uint16Array(256) : new Float32Array(256);
    for (let b = 0; b < 256; b++) {
      const value = b * family.scale;
      this.byteToValue[b] = elementType === 'float16' ? float32ToFloat16Bits(value) : value;
    }
    this.padCode = this.byteToValue[family.padValue];
  }

  /**
   * Writes `rgb` (interleaved RGB bytes of exactly lb.width x lb.height, the resized image) into the
   * letterboxed input.
   */
  fill(rgb: Uint8Array, lb: Letterbox): void {
    const { side, data } = this;
    if (rgb.length !== lb.width * lb.height * 3) {
      throw new Error(`resized image has ${rgb.length} bytes, expected ${lb.width}x${lb.height}x3`);
    }
    this.prepare(lb);
    const plane = side * side;
    const lut = this.byteToValue;
    // Plane 0 is red for RGB families, blue for BGR ones.
    const first = this.family.channels === 'rgb' ? 0 : 2 * plane;
    const third = this.family.channels === 'rgb' ? 2 * plane : 0;
    const second = plane;
    const { width, height, padX, padY } = lb;
    let src = 0;
    for (let y = 0; y < height; y++) {
      let out = (padY + y) * side + padX;
      for (let x = 0; x < width; x++, out++, src += 3) {
        data[first + out] = lut[rgb[src]];
        data[second + out] = lut[rgb[src + 1]];
        data[third + out] = lut[rgb[src + 2]];
      }
    }
  }

  /** Writes the rows of the resized image (lb.height of them, each lb.width wide) into the letterboxed input, row by row. */
  fillRows(lb: Letterbox, rowAt: (y: number) => ScaledRow): void {
    const { side, data } = this;
    this.prepare(lb);
    const plane = side * side;
    const lut = this.byteToValue;
    const bgr = this.family.channels !== 'rgb';
    for (let y = 0; y < lb.height; y++) {
      const { red, green, blue } = rowAt(y);
      if (red.length !== lb.width) throw new Error(`resized row has ${red.length} pixels, expected ${lb.width}`);
      const start = (lb.padY + y) * side + lb.padX;
      const first = bgr ? blue : red;
      const third = bgr ? red : blue;
      for (let x = 0, out = start; x < lb.width; x++, out++) {
        data[out] = lut[first[x]];
        data[plane + out] = lut[green[x]];
        data[2 * plane + out] = lut[third[x]];
      }
    }
  }

  /** Checks the geometry and repaints the padding when it changed. */
  private prepare(lb: Letterbox): void {
    if (lb.side !== this.side) throw new Error(`letterbox side ${lb.side} does not match the input side ${this.side}`);
    const geometry = `${lb.width}x${lb.height}+${lb.padX}+${lb.padY}`;
    if (geometry !== this.lastGeometry) {
      this.data.fill(this.padCode);
      this.lastGeometry = geometry;
    }
  }
}
