import { LatencyRecorder, LatencySummary, LatencyWindow, summarize } from './latency-recorder';
import { LogBuckets } from './log-histogram';

/** Deterministic pseudo-random numbers (mulberry32), so the data sets are known. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RELATIVE_ERROR = 0.01;

const dataSets: Record<string, number[]> = (() => {
  const r = random(42);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return {
    'uniform 0..50 ms': Array.from({ length: 20_000 }, () => r() * 50),
    'log-normal around 30 ms (inference-like)': Array.from({ length: 20_000 }, () => Math.exp(Math.log(30) + 0.4 * normal())),
    'bimodal 0.2 ms / 200 ms with a long tail': Array.from({ length: 20_000 }, (_, i) => (i % 10 === 0 ? 200 + r() * 2_000 : 0.2 + r() * 0.05)),
    'integers 1..10': Array.from({ length: 1_000 }, (_, i) => 1 + (i % 10)),
    'one value': [7.25],
    'sub-microsecond values': Array.from({ length: 500 }, () => r() * 0.0009),
  };
})();

function expectWithinBound(estimate: LatencySummary, exact: LatencySummary, minValue: number): void {
  expect(estimate.count).toBe(exact.count);
  expect(estimate.mean).toBeCloseTo(exact.mean, 9);
  expect(estimate.max).toBe(exact.max);
  for (const key of ['p50', 'p95', 'p99'] as const) {
    const bound = Math.max(RELATIVE_ERROR * exact[key], minValue) + 1e-12;
    expect(Math.abs(estimate[key] - exact[key])).toBeLessThanOrEqual(bound);
  }
}

describe('LatencyWindow percentiles against exact ones', () => {
  const buckets = new LogBuckets(RELATIVE_ERROR);

  it.each(Object.keys(dataSets))('%s: within 1%% (or 1 µs below 1 µs), exact count, mean and max', (name) => {
    const data = dataSets[name];
    const window = new LatencyWindow(100_000, buckets);
    for (const v of data) window.add(v);
    expectWithinBound(window.summary(), summarize(data), buckets.minValue);
  });

  it('describes only the most recent `capacity` samples once the ring wrapped', () => {
    const r = random(7);
    const early = Array.from({ length: 3_000 }, () => 1_000 + r() * 1_000); // slow start, then evicted
    const late = Array.from({ length: 2_000 }, () => 5 + r() * 10);
    const window = new LatencyWindow(2_000, buckets);
    for (const v of [...early, ...late]) window.add(v);
    const summary = window.summary();
    expectWithinBound(summary, summarize(late), buckets.minValue);
    expect(summary.max).toBeLessThan(15);
  });

  it('is empty as NaN, like the exact summary', () => {
    expect(new LatencyWindow(10, buckets).summary()).toEqual(summarize([]));
  });

  it('refuses a capacity or error bound that cannot work', () => {
    expect(() => new LatencyWindow(0, buckets)).toThrow(/capacity/);
    expect(() => new LogBuckets(0)).toThrow(/relativeError/);
  });
});

describe('LatencyRecorder', () => {
  it('keeps one bounded window per stage', () => {
    const recorder = new LatencyRecorder({ samplesPerStage: 100 });
    for (let i = 0; i < 1_000; i++) {
      recorder.add('decode', i);
      if (i % 2 === 0) recorder.add('encode', 3);
    }
    const summary = recorder.summary();
    expect(Object.keys(summary)).toEqual(['decode', 'encode']);
    expect(summary.decode.count).toBe(100);
    expect(summary.decode.max).toBe(999);
    expect(summary.decode.mean).toBeCloseTo(949.5, 9);
    expect(summary.encode).toMatchObject({ count: 100, max: 3, mean: 3, p50: 3, p99: 3 });
  });
});
