/**
 * Metric label values that come from messages (kinds, detection labels) are bounded: past `max`
 * distinct values, new ones are counted as `other`, so a misbehaving producer cannot blow up the
 * metrics registry.
 */
export class BoundedLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max || !/^[A-Za-z0-9 _.-]{1,64}$/.test(value)) return 'other';
    this.seen.add(value);
    return value;
  }
}
