import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets (seconds) from 0.1 ms to 10 s: stages range from sub-millisecond matching to slow inference. */
export const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One Prometheus registry per application. Metrics are created once by name and shared, so two
 * services asking for the same counter get the same instance.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly metrics = new Map<string, Counter<string> | Gauge<string> | Histogram<string>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sentinel_process_' });
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter<string> {
    return this.getOrCreate(name, () => new Counter({ name, help, labelNames, registers: [this.registry] })) as Counter<string>;
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge<string> {
    return this.getOrCreate(name, () => new Gauge({ name, help, labelNames, registers: [this.registry] })) as Gauge<string>;
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets = LATENCY_BUCKETS): Histogram<string> {
    return this.getOrCreate(name, () => new Histogram({ name, help, labelNames, buckets, registers: [this.registry] })) as Histogram<string>;
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  private getOrCreate(name: string, create: () => Counter<string> | Gauge<string> | Histogram<string>) {
    let metric = this.metrics.get(name);
    if (!metric) {
      metric = create();
      this.metrics.set(name, metric);
    }
    return metric;
  }
}
