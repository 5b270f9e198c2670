/**
 * Binary dilation of a 0/1 mask (height x width) by a (2r+1)^2 square: out[i] = 1 when any mask
 * pixel within r (Chebyshev distance) is set. Separable, as whole-row / whole-image shifted ORs
 * (tight loops without per-pixel bounds): radii are small (1-2), so 2r ORs per pixel per pass are
 * cheaper than running counts. `tmp` and `out` have the mask's length and must not be `mask`.
 */
export function dilate(mask: Uint8Array, width: number, height: number, radius: number, tmp: Uint8Array, out: Uint8Array): void {
  const length = width * height;
  if (radius <= 0) {
    out.set(mask.subarray(0, length));
    return;
  }
  // Horizontal: copy each row, then OR in the row shifted by 1..r to either side.
  tmp.set(mask.subarray(0, length));
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let d = 1; d <= radius && d < width; d++) {
      for (let x = row + d, end = row + width; x < end; x++) tmp[x] |= mask[x - d];
      for (let x = row, end = row + width - d; x < end; x++) tmp[x] |= mask[x + d];
    }
  }
  // Vertical: copy, then OR in the whole image shifted by 1..r rows up and down.
  out.set(tmp.subarray(0, length));
  for (let d = 1; d <= radius && d < height; d++) {
    const shift = d * width;
    for (let i = shift; i < length; i++) out[i] |= tmp[i - shift];
    for (let i = 0, end = length - shift; i < end; i++) out[i] |= tmp[i + shift];
  }
}
