import { CooldownDecision, CooldownEntry, CooldownSubject, decideCooldown, pruneCooldown } from './cooldown';

/** Holds the cooldown state of the running service (the decisions are the pure functions in cooldown.ts). */
export class CooldownTracker {
  private readonly state = new Map<string, CooldownEntry>();

  private readonly exempt: ReadonlySet<string>;

  constructor(
    readonly windowMs: number,
    exemptKinds: readonly string[] = [],
  ) {
    this.exempt = new Set(exemptKinds);
  }

  decide(alert: CooldownSubject): CooldownDecision {
    return decideCooldown(this.state, alert, this.exempt.has(alert.kind) ? 0 : this.windowMs);
  }

  /** Applied only once the alert is stored, so a failed write does not silence the next one. */
  apply(decision: CooldownDecision): void {
    if (this.windowMs > 0) this.state.set(decision.key, decision.entry);
  }

  prune(now: number): number {
    return pruneCooldown(this.state, now, this.windowMs);
  }

  get size(): number {
    return this.state.size;
  }
}
