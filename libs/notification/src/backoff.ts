export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** Fraction of the delay that is random: 0 none, 1 full jitter. */
  jitter: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): `initial * factor^(attempt-1)`, capped at
 * `max`, of which a `jitter` fraction is drawn at random so that many failed deliveries do not
 * retry in lockstep. `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * Math.pow(policy.factor, exponent));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(base * (1 - jitter) + base * jitter * random());
}
