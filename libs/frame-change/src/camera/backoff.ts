export interface BackoffSettings {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
}

/** Delay before reconnect attempt `attempt` (1 = first): initial * factor^(attempt-1), capped. */
export function backoffDelay(attempt: number, settings: BackoffSettings): number {
  const delay = settings.initialDelayMs * Math.pow(settings.factor, Math.max(0, attempt - 1));
  return Math.min(settings.maxDelayMs, Math.round(delay));
}
