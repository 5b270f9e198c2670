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

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}

/** Keeps the most recent samples per stage (bounded, so a long run does not grow memory). */
export class LatencyRecorder {
  private readonly byStage = new Map<string, number[]>();

  constructor(private readonly maxSamplesPerStage = 100_000) {}

  add(stage: string, ms: number): void {
    let list = this.byStage.get(stage);
    if (!list) this.byStage.set(stage, (list = []));
    if (list.length >= this.maxSamplesPerStage) list.shift();
    list.push(ms);
  }

  summary(): Record<string, LatencySummary> {
    return Object.fromEntries([...this.byStage].map(([stage, list]) => [stage, summarize(list)]));
  }
}
