/**
 * Stage latency recording: cost per sample once a stage's window is full, and cost of one /stats
 * summary, for the ring buffer + log-bucket histogram (LatencyRecorder) against the former way
 * (an array per stage with shift() once full, copied and sorted per summary) measured in the same run.
 *
 *   npm run build && node dist/bench/latency.bench.js [-- --runs 5 --window 100000]
 */
import { readFileSync } from 'node:fs';
import { LatencyRecorder, summarize } from '@sentinel/telemetry';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1] : fallback;
};
const RUNS = Number(flag('runs', '5'));
const WINDOW = Number(flag('window', '100000'));
const EXTRA = 50_000; // samples added once the window is full (the steady state of a long run)

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const time = (work: () => void): number => {
  const start = performance.now();
  work();
  return performance.now() - start;
};

/** The former recorder: what LatencyRecorder replaced (baseline). */
class ShiftingRecorder {
  private readonly list: number[] = [];
  add(ms: number): void {
    if (this.list.length >= WINDOW) this.list.shift();
    this.list.push(ms);
  }
  summary() {
    return summarize(this.list);
  }
}

const samples = Float64Array.from({ length: WINDOW + EXTRA }, (_, i) => 5 + ((i * 7919) % 1000) / 20);
const rows = { shiftAdd: [] as number[], ringAdd: [] as number[], sortSummary: [] as number[], ringSummary: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  const old = new ShiftingRecorder();
  const ring = new LatencyRecorder({ samplesPerStage: WINDOW });
  for (let i = 0; i < WINDOW; i++) {
    old.add(samples[i]);
    ring.add('stage', samples[i]);
  }
  rows.shiftAdd.push((time(() => { for (let i = WINDOW; i < samples.length; i++) old.add(samples[i]); }) * 1e6) / EXTRA);
  rows.ringAdd.push((time(() => { for (let i = WINDOW; i < samples.length; i++) ring.add('stage', samples[i]); }) * 1e6) / EXTRA);
  rows.sortSummary.push(time(() => old.summary()));
  rows.ringSummary.push(time(() => ring.summary()));
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`latency bench: one stage, window ${WINDOW}, ${EXTRA} samples after it filled, ${RUNS} runs, medians; node ${process.version}; load average ${load}`);
console.log('| | former (shift + sort) | ring + histogram | ratio |');
console.log('|---|---|---|---|');
const row = (what: string, before: number, after: number, unit: string) =>
  console.log(`| ${what} | ${before.toFixed(2)} ${unit} | ${after.toFixed(2)} ${unit} | ${(before / after).toFixed(0)}x |`);
row('add one sample (window full)', median(rows.shiftAdd), median(rows.ringAdd), 'ns');
row('one /stats summary', median(rows.sortSummary), median(rows.ringSummary), 'ms');
