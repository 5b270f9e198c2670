/**
 * Fixed log-scale buckets over non-negative values (a DDSketch-style layout): bucket i holds values in
 * (g^(i-1), g^i] scaled by `minValue`, with g = (1 + e) / (1 - e). Reporting a bucket by
 * 2 g^i / (g + 1) is then off by at most a factor e of the true value (relative error bound `e`).
 * Values up to `minValue` share bucket 0 (reported as `minValue`: absolute error at most `minValue`),
 * values above `maxValue` share the last one.
 */
export class LogBuckets {
  readonly gamma: number;
  readonly size: number;
  private readonly logGamma: number;

  constructor(
    readonly relativeError = 0.01,
    readonly minValue = 0.001,
    readonly maxValue = 1e7,
  ) {
    if (!(relativeError > 0 && relativeError < 1)) throw new RangeError(`relativeError must be in (0, 1), got ${relativeError}`);
    if (!(minValue > 0 && maxValue > minValue)) throw new RangeError(`need 0 < minValue < maxValue, got ${minValue}, ${maxValue}`);
    this.gamma = (1 + relativeError) / (1 - relativeError);
    this.logGamma = Math.log(this.gamma);
    this.size = Math.ceil(Math.log(maxValue / minValue) / this.logGamma) + 1;
  }

  indexOf(value: number): number {
    if (!(value > this.minValue)) return 0; // NaN, negatives and tiny values
    return Math.min(this.size - 1, Math.ceil(Math.log(value / this.minValue) / this.logGamma));
  }

  /** The value a bucket stands for (within `relativeError` of every value in it). */
  valueOf(index: number): number {
    if (index === 0) return this.minValue;
    return (this.minValue * 2 * this.gamma ** index) / (this.gamma + 1);
  }
}

/** Counts per bucket; values can be removed again (for a sliding window). */
export class LogHistogram {
  private readonly counts: Uint32Array;
  private total = 0;

  constructor(readonly buckets: LogBuckets) {
    this.counts = new Uint32Array(buckets.size);
  }

  get count(): number {
    return this.total;
  }

  /** Counts a value; returns its bucket (to remove it later without recomputing). */
  add(value: number): number {
    const index = this.buckets.indexOf(value);
    this.counts[index]++;
    this.total++;
    return index;
  }

  /** Uncounts a value added before, by the bucket `add` returned. */
  removeBucket(index: number): void {
    if (this.counts[index] === 0) return;
    this.counts[index]--;
    this.total--;
  }

  /**
   * Estimates of the values at the given ranks (0-based, ascending) in one walk over the buckets.
   * Ranks must be sorted ascending.
   */
  valuesAtRanks(ranks: readonly number[]): number[] {
    const out: number[] = [];
    let seen = 0;
    let next = 0;
    for (let i = 0; i < this.counts.length && next < ranks.length; i++) {
      seen += this.counts[i];
      while (next < ranks.length && ranks[next] < seen) {
        out.push(this.buckets.valueOf(i));
        next++;
      }
    }
    while (out.length < ranks.length) out.push(Number.NaN);
    return out;
  }
}
