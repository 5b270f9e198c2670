export interface Size {
  width: number;
  height: number;
}

/** Size at detection scale: the frame divided by `factor`, rounded down (a remainder strip is ignored). */
export function downscaledSize(width: number, height: number, factor: number): Size {
  return { width: Math.floor(width / factor), height: Math.floor(height / factor) };
}

/**
 * rgb24 frame (height x width x 3, rows top to bottom, interleaved R,G,B) to a grey image at
 * 1/factor scale (downscaledSize), each output pixel the mean of a factor x factor block of
 * grey = (R + 2G + B) / 4. Averaging blocks also averages out sensor and compression noise.
 * `acc` is scratch of at least the output width (reused across frames).
 */
export function rgbToGrayDownscaled(
  rgb: Uint8Array,
  width: number,
  height: number,
  factor: number,
  out: Uint8Array,
  acc: Uint32Array,
): void {
  if (factor === 4) return rgbToGrayQuarter(rgb, width, height, out, acc);
  const { width: ow, height: oh } = downscaledSize(width, height, factor);
  const divisor = 4 * factor * factor;
  const half = divisor >> 1;
  const rowBytes = width * 3;
  for (let oy = 0; oy < oh; oy++) {
    acc.fill(0, 0, ow);
    for (let dy = 0; dy < factor; dy++) {
      let p = (oy * factor + dy) * rowBytes;
      for (let ox = 0; ox < ow; ox++) {
        let sum = 0;
        for (let dx = 0; dx < factor; dx++) {
          sum += rgb[p] + 2 * rgb[p + 1] + rgb[p + 2];
          p += 3;
        }
        acc[ox] += sum;
      }
    }
    const row = oy * ow;
    for (let ox = 0; ox < ow; ox++) out[row + ox] = ((acc[ox] + half) / divisor) | 0;
  }
}

/** rgbToGrayDownscaled for factor 4 (the default), unrolled: about twice as fast as the generic loop. */
function rgbToGrayQuarter(rgb: Uint8Array, width: number, height: number, out: Uint8Array, acc: Uint32Array): void {
  const ow = width >> 2;
  const oh = height >> 2;
  const rowBytes = width * 3;
  for (let oy = 0; oy < oh; oy++) {
    acc.fill(0, 0, ow);
    for (let dy = 0; dy < 4; dy++) {
      let p = (oy * 4 + dy) * rowBytes;
      for (let ox = 0; ox < ow; ox++, p += 12) {
        acc[ox] +=
          rgb[p] + 2 * rgb[p + 1] + rgb[p + 2] +
          rgb[p + 3] + 2 * rgb[p + 4] + rgb[p + 5] +
          rgb[p + 6] + 2 * rgb[p + 7] + rgb[p + 8] +
          rgb[p + 9] + 2 * rgb[p + 10] + rgb[p + 11];
      }
    }
    const row = oy * ow;
    for (let ox = 0; ox < ow; ox++) out[row + ox] = (acc[ox] + 32) >> 6;
  }
}
