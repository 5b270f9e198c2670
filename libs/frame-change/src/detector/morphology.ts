/**
 * Binary dilation of a 0/1 mask (height x width) by a (2r+1)^2 square: out[i] = 1 when any mask
 * pixel within r (Chebyshev distance) is set. Separable: each pixel ORs its row neighbours into
 * `tmp`, then each row ORs the rows above and below into `out`; both passes walk memory in order.
 * Radii are small (1-2), so the (2r+1) ORs per pixel beat running counts. `tmp` and `out` have
 * the mask's length and must not be `mask`.
 */
export function dilate(mask: Uint8Array, width: number, height: number, radius: number, tmp: Uint8Array, out: Uint8Array): void {
  const length = width * height;
  if (radius <= 0) {
    out.set(mask.subarray(0, length));
    return;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const from = x - radius < 0 ? 0 : x - radius;
      const to = x + radius >= width ? width - 1 : x + radius;
      let v = 0;
      for (let k = from; k <= to; k++) v |= mask[row + k];
      tmp[row + x] = v;
    }
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    out.set(tmp.subarray(row, row + width), row);
    const from = y - radius < 0 ? 0 : y - radius;
    const to = y + radius >= height ? height - 1 : y + radius;
    for (let k = from; k <= to; k++) {
      if (k === y) continue;
      const other = k * width;
      for (let x = 0; x < width; x++) out[row + x] |= tmp[other + x];
    }
  }
}
