import { Injectable } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { MetricsService } from './metrics.service';
import { LatencyRecorder } from './latency-recorder';

/**
 * Latency of every pipeline stage, both as a Prometheus histogram (`sentinel_stage_seconds`) and as
 * raw samples (for exact p50/p95/p99 in reports).
 */
@Injectable()
export class StageTimer {
  private readonly histogram: Histogram<string>;
  readonly samples = new LatencyRecorder();

  constructor(metrics: MetricsService) {
    this.histogram = metrics.histogram('sentinel_stage_seconds', 'Latency of each pipeline stage', ['stage']);
  }

  /** Records one stage duration in milliseconds. */
  record(stage: string, ms: number): void {
    this.histogram.observe({ stage }, ms / 1000);
    this.samples.add(stage, ms);
  }

  /** Times a synchronous or asynchronous piece of work as `stage`. */
  async time<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.record(stage, performance.now() - start);
    }
  }
}
