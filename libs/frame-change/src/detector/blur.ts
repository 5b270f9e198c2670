/**
 * Box blur of a grey image (height x width) with a (2r+1)^2 window, edges clamped. Separable:
 * a horizontal running sum into `tmp`, then a vertical one into `out`. `tmp` and `out` have the
 * image's length; `src` may be `out`.
 */
export function boxBlur(src: Uint8Array, width: number, height: number, radius: number, tmp: Uint8Array, out: Uint8Array): void {
  if (radius <= 0) {
    if (out !== src) out.set(src.subarray(0, width * height));
    return;
  }
  const window = 2 * radius + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let k = -radius; k <= radius; k++) sum += src[row + clamp(k, width)];
    for (let x = 0; x < width; x++) {
      tmp[row + x] = ((sum + (window >> 1)) / window) | 0;
      sum += src[row + clamp(x + radius + 1, width)] - src[row + clamp(x - radius, width)];
    }
  }
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let k = -radius; k <= radius; k++) sum += tmp[clamp(k, height) * width + x];
    for (let y = 0; y < height; y++) {
      out[y * width + x] = ((sum + (window >> 1)) / window) | 0;
      sum += tmp[clamp(y + radius + 1, height) * width + x] - tmp[clamp(y - radius, height) * width + x];
    }
  }
}

function clamp(i: number, length: number): number {
  return i < 0 ? 0 : i >= length ? length - 1 : i;
}
