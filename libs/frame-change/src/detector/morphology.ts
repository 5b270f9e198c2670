/**
 * Binary dilation of a 0/1 mask (height x width) by a (2r+1)^2 square: out[i] = 1 when any mask
 * pixel within r (Chebyshev distance) is set. Separable with running counts; `tmp` and `out` have
 * the mask's length and must not be `mask`.
 */
export function dilate(mask: Uint8Array, width: number, height: number, radius: number, tmp: Uint8Array, out: Uint8Array): void {
  if (radius <= 0) {
    out.set(mask.subarray(0, width * height));
    return;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let count = 0;
    for (let x = 0; x < radius && x < width; x++) count += mask[row + x];
    for (let x = 0; x < width; x++) {
      if (x + radius < width) count += mask[row + x + radius];
      if (x - radius - 1 >= 0) count -= mask[row + x - radius - 1];
      tmp[row + x] = count > 0 ? 1 : 0;
    }
  }
  for (let x = 0; x < width; x++) {
    let count = 0;
    for (let y = 0; y < radius && y < height; y++) count += tmp[y * width + x];
    for (let y = 0; y < height; y++) {
      if (y + radius < height) count += tmp[(y + radius) * width + x];
      if (y - radius - 1 >= 0) count -= tmp[(y - radius - 1) * width + x];
      out[y * width + x] = count > 0 ? 1 : 0;
    }
  }
}
