import type { Counter, Gauge } from 'prom-client';
import type { MetricsService } from './metrics.service';

export type Labels<L extends string> = Readonly<Record<L, string>>;

interface Series<L extends string> {
  labels: Labels<L>;
  value: number;
}

/** Label values in declaration order, as one key (a Map key: ids from the wire never index an object). */
function seriesKey<L extends string>(labelNames: readonly L[], labels: Labels<L> | undefined): string {
  return labelNames.map((name) => labels?.[name] ?? '').join('\u0000');
}

abstract class StatSeries<L extends string> {
  protected readonly series = new Map<string, Series<L>>();

  constructor(readonly labelNames: readonly L[]) {}

  /** The figure of one label set (0 if never touched). */
  value(labels?: Labels<L>): number {
    return this.series.get(seriesKey(this.labelNames, labels))?.value ?? 0;
  }

  /** Sum over every label set. */
  get total(): number {
    let sum = 0;
    for (const { value } of this.series.values()) sum += value;
    return sum;
  }

  /** Figures summed per value of one label, e.g. `by('reason')` gives `{ 'queue-full': 3 }`. */
  by(label: L, where?: Partial<Labels<L>>): Record<string, number> {
    const out = new Map<string, number>();
    for (const { labels, value } of this.series.values()) {
      if (where && Object.entries(where).some(([name, wanted]) => labels[name as L] !== wanted)) continue;
      out.set(labels[label], (out.get(labels[label]) ?? 0) + value);
    }
    return Object.fromEntries(out); // own data properties, even for a value like '__proto__'
  }

  protected entry(labels: Labels<L> | undefined): Series<L> {
    const key = seriesKey(this.labelNames, labels);
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { labels: { ...(labels ?? ({} as Labels<L>)) }, value: 0 }));
    return entry;
  }
}

/**
 * One counter, one call: `inc` adds to the figure that `/stats` and snapshots read and to the
 * Prometheus counter of the same name (when the owner has a registry). Same call shapes as
 * prom-client (`inc()`, `inc(n)`, `inc(labels)`, `inc(labels, n)`). The figures belong to this
 * instance; the Prometheus metric is shared by name within a registry, as before.
 */
export class StatCounter<L extends string = never> extends StatSeries<L> {
  constructor(
    private readonly metric: Counter<string> | undefined,
    labelNames: readonly L[],
  ) {
    super(labelNames);
  }

  inc(labelsOrValue?: Labels<L> | number, value = 1): void {
    const labels = typeof labelsOrValue === 'object' ? labelsOrValue : undefined;
    const by = typeof labelsOrValue === 'number' ? labelsOrValue : value;
    if (!(by >= 0)) throw new RangeError(`a counter only goes up: ${by}`);
    if (labels) this.metric?.inc(labels, by);
    else this.metric?.inc(by);
    this.entry(labels).value += by;
  }
}

/** A gauge with the same one-call rule: `set` updates the `/stats` figure and the Prometheus gauge. */
export class StatGauge<L extends string = never> extends StatSeries<L> {
  constructor(
    private readonly metric: Gauge<string> | undefined,
    labelNames: readonly L[],
  ) {
    super(labelNames);
  }

  set(labelsOrValue: Labels<L> | number, value?: number): void {
    const labels = typeof labelsOrValue === 'object' ? labelsOrValue : undefined;
    const to = typeof labelsOrValue === 'number' ? labelsOrValue : value ?? 0;
    if (labels) this.metric?.set(labels, to);
    else this.metric?.set(to);
    this.entry(labels).value = to;
  }
}

/** Creates stat counters and gauges, with Prometheus metrics when a registry is given (tests may count without). */
export class StatFactory {
  constructor(private readonly metrics?: MetricsService) {}

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): StatCounter<L> {
    return new StatCounter<L>(this.metrics?.counter(name, help, labelNames), labelNames);
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): StatGauge<L> {
    return new StatGauge<L>(this.metrics?.gauge(name, help, labelNames), labelNames);
  }
}
