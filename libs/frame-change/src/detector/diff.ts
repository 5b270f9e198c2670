/** Differences cur - ref span -255..255: histogram bin = difference + 255. */
export const DIFF_BINS = 511;

/**
 * Median of the signed difference cur - ref (ref rounded), a robust estimate of a global
 * brightness change: moving objects covering less than half the frame do not move it.
 * `histogram` is scratch of DIFF_BINS entries.
 */
export function medianDifference(cur: Uint8Array, ref: Uint8Array | Float32Array, length: number, histogram: Int32Array): number {
  histogram.fill(0);
  for (let i = 0; i < length; i++) histogram[cur[i] - Math.round(ref[i]) + 255]++;
  const middle = length / 2;
  let seen = 0;
  for (let bin = 0; bin < DIFF_BINS; bin++) {
    seen += histogram[bin];
    if (seen >= middle) return bin - 255;
  }
  return 0;
}

/**
 * mask[i] = 1 where |cur[i] - ref[i] - offset| > threshold, else 0. Returns how many pixels are set.
 */
export function thresholdDifference(
  cur: Uint8Array,
  ref: Uint8Array | Float32Array,
  length: number,
  offset: number,
  threshold: number,
  mask: Uint8Array,
): number {
  let count = 0;
  for (let i = 0; i < length; i++) {
    const d = cur[i] - ref[i] - offset;
    const set = d > threshold || d < -threshold ? 1 : 0;
    mask[i] = set;
    count += set;
  }
  return count;
}

/** Running-average background: bg += alpha * (cur - bg). */
export function updateBackground(background: Float32Array, cur: Uint8Array, length: number, alpha: number): void {
  for (let i = 0; i < length; i++) background[i] += alpha * (cur[i] - background[i]);
}
