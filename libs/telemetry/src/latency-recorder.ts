import { LogBuckets, LogHistogram } from './log-histogram';

/** Quantile of sorted samples by linear interpolation (q in 0..1). */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/** Exact summary of a list of samples (sorts a copy: for benches and tests, not for hot paths). */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: quantile(sorted, QUANTILES.p50),
    p95: quantile(sorted, QUANTILES.p95),
    p99: quantile(sorted, QUANTILES.p99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}

/**
 * The most recent `capacity` samples of one stage: a ring buffer (fixed memory, O(1) per sample)
 * mirrored in a log-bucket histogram, so percentiles cost one walk over ~1,200 buckets instead of a
 * sort. Percentiles are within `relativeError` of the exact interpolated ones (values up to the
 * buckets' `minValue` within `minValue` absolute); count, mean and max are exact.
 */
export class LatencyWindow {
  private readonly ring: Float64Array;
  /** Each sample's histogram bucket, so evicting it costs no logarithm. */
  private readonly bucketOf: Uint16Array;
  private readonly histogram: LogHistogram;
  private next = 0;
  private filled = 0;

  constructor(capacity: number, buckets: LogBuckets) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    if (buckets.size > 0xffff) throw new RangeError(`too many buckets (${buckets.size}) for a latency window`);
    this.ring = new Float64Array(capacity);
    this.bucketOf = new Uint16Array(capacity);
    this.histogram = new LogHistogram(buckets);
  }

  get count(): number {
    return this.filled;
  }

  add(ms: number): void {
    if (this.filled === this.ring.length) this.histogram.removeBucket(this.bucketOf[this.next]);
    else this.filled++;
    this.ring[this.next] = ms;
    this.bucketOf[this.next] = this.histogram.add(ms);
    this.next = (this.next + 1) % this.ring.length;
  }

  summary(): LatencySummary {
    const n = this.filled;
    if (n === 0) return { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, mean: Number.NaN, max: Number.NaN };
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = this.ring[i];
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const positions = Object.values(QUANTILES).map((q) => (n - 1) * q);
    const ranks = positions.flatMap((pos) => [Math.floor(pos), Math.ceil(pos)]);
    const clamp = (v: number) => Math.min(max, Math.max(min, v));
    const values = this.histogram.valuesAtRanks(ranks).map(clamp);
    const at = (k: number) => {
      const pos = positions[k];
      const [lo, hi] = [values[2 * k], values[2 * k + 1]];
      return lo + (hi - lo) * (pos - Math.floor(pos));
    };
    return { count: n, p50: at(0), p95: at(1), p99: at(2), mean: sum / n, max };
  }
}

export interface LatencyRecorderOptions {
  /** Samples kept per stage (the window the summary describes). */
  samplesPerStage?: number;
  /** Bound on the percentiles' relative error. */
  relativeError?: number;
}

/** Latency windows per stage (bounded, so a long run does not grow memory nor slow down /stats). */
export class LatencyRecorder {
  private readonly byStage = new Map<string, LatencyWindow>();
  private readonly buckets: LogBuckets;
  private readonly capacity: number;

  constructor(options: LatencyRecorderOptions = {}) {
    this.capacity = options.samplesPerStage ?? 100_000;
    this.buckets = new LogBuckets(options.relativeError ?? 0.01);
  }

  add(stage: string, ms: number): void {
    let window = this.byStage.get(stage);
    if (!window) this.byStage.set(stage, (window = new LatencyWindow(this.capacity, this.buckets)));
    window.add(ms);
  }

  summary(): Record<string, LatencySummary> {
    return Object.fromEntries([...this.byStage].map(([stage, window]) => [stage, window.summary()]));
  }
}
