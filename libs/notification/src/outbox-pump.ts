import { Logger } from '@nestjs/common';
import { BackoffPolicy, backoffDelay } from './backoff';
import type { DeliveryTarget } from './channels/delivery-target';
import { asDeliveryError } from './delivery-error';
import type { EventStore, OutboxRow } from './event-store';

export interface PumpListener {
  delivered(target: DeliveryTarget, row: OutboxRow, ms: number): void;
  failed(target: DeliveryTarget, row: OutboxRow, error: string): void;
  deadLettered(target: DeliveryTarget, row: OutboxRow, reason: string): void;
  changed(target: DeliveryTarget): void;
}

export interface PumpOptions extends BackoffPolicy {
  giveUpAfterMs: number;
  /** Safety net: look at the outbox at least this often even without a wake-up. */
  idlePollMs?: number;
}

/**
 * Drains one target's outbox: the oldest pending row of each camera, at most `concurrency` cameras
 * at a time, so each camera's alerts arrive in order while one slow camera does not hold up others.
 * A failed row is retried after an exponential backoff and blocks its camera until it is delivered
 * or dead-lettered (4xx, or still failing `giveUpAfterMs` after it was accepted).
 */
export class OutboxPump {
  private readonly busyCameras = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private stopped = false;
  private consecutiveFailures = 0;
  private lastError: string | null = null;
  private lastDeliveredAt: number | null = null;
  private readonly logger: Logger;

  constructor(
    readonly target: DeliveryTarget,
    private readonly store: EventStore,
    private readonly options: PumpOptions,
    private readonly listener: PumpListener,
    private readonly random: () => number = Math.random,
  ) {
    this.logger = new Logger(`OutboxPump ${target.name.replace(/\/\/[^@/]*@/, '//***@')}`);
    target.onReady?.(() => this.wakeNow());
  }

  /** Looks at the outbox soon (after the current tick). */
  kick(): void {
    if (this.stopped || this.immediate) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.pump();
    });
  }

  /** The target came back: retry its waiting rows now instead of at their backoff time. */
  private wakeNow(): void {
    if (this.stopped) return;
    try {
      const now = Date.now();
      for (const row of this.store.dueHeads(this.target.name, Number.MAX_SAFE_INTEGER, 1_000)) {
        if (row.nextAttemptAt > now) this.store.reschedule(row.seq, row.attempts, now, row.lastError ?? '');
      }
    } catch (error) {
      this.logger.error(`cannot reschedule after reconnect: ${(error as Error).message}`);
    }
    this.kick();
  }

  private pump(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      const free = this.target.concurrency - this.busyCameras.size;
      if (free > 0) {
        const rows = this.store.dueHeads(this.target.name, Date.now(), free + this.busyCameras.size);
        for (const row of rows) {
          if (this.busyCameras.size >= this.target.concurrency) break;
          if (!this.busyCameras.has(row.cameraId)) this.start(row);
        }
      }
      const next = this.store.nextAttemptAt(this.target.name, this.busyCameras);
      const idle = this.options.idlePollMs ?? 30_000;
      const delay = next === undefined ? idle : Math.min(idle, Math.max(0, next - Date.now()));
      this.timer = setTimeout(() => this.kick(), delay);
    } catch (error) {
      this.logger.error(`outbox read failed: ${(error as Error).message}`);
      this.timer = setTimeout(() => this.kick(), 1_000);
    }
  }

  private start(row: OutboxRow): void {
    this.busyCameras.add(row.cameraId);
    const run = this.attempt(row).finally(() => {
      this.busyCameras.delete(row.cameraId);
      this.inFlight.delete(run);
      this.listener.changed(this.target);
      this.kick();
    });
    this.inFlight.add(run);
  }

  private async attempt(row: OutboxRow): Promise<void> {
    const started = performance.now();
    let failure;
    try {
      await this.target.deliver(row.alertId, row.body);
    } catch (error) {
      failure = asDeliveryError(error);
    }
    const now = Date.now();
    const attempts = row.attempts + 1;
    try {
      if (!failure) {
        this.store.markDelivered(row.seq);
        this.consecutiveFailures = 0;
        this.lastError = null;
        this.lastDeliveredAt = now;
        this.listener.delivered(this.target, row, performance.now() - started);
        return;
      }
      this.lastError = failure.message;
      if (failure.permanent) {
        this.store.deadLetter(row, attempts, failure.message, failure.status, now);
        this.logger.warn(`alert ${row.alertId} dead-lettered: ${failure.message}`);
        this.listener.deadLettered(this.target, row, failure.message);
        return;
      }
      this.consecutiveFailures++;
      if (now - row.createdAt >= this.options.giveUpAfterMs) {
        const reason = `gave up after ${attempts} attempts over ${Math.round((now - row.createdAt) / 1000)} s: ${failure.message}`;
        this.store.deadLetter(row, attempts, reason, failure.status, now);
        this.logger.warn(`alert ${row.alertId} dead-lettered: ${reason}`);
        this.listener.deadLettered(this.target, row, reason);
        return;
      }
      // Honour a receiver's Retry-After when it asks for longer than the backoff (up to the cap).
      const delay = Math.max(backoffDelay(attempts, this.options, this.random), Math.min(failure.retryAfterMs ?? 0, this.options.maxDelayMs));
      this.store.reschedule(row.seq, attempts, now + delay, failure.message);
      if (this.consecutiveFailures === 1 || this.consecutiveFailures % 50 === 0) {
        this.logger.warn(`delivery of ${row.alertId} failed (attempt ${attempts}, retry in ${delay} ms): ${failure.message}`);
      }
      this.listener.failed(this.target, row, failure.message);
    } catch (error) {
      // The store failed (disk full, closed during shutdown): the row stays pending and is retried.
      this.logger.error(`outbox update for ${row.alertId} failed: ${(error as Error).message}`);
    }
  }

  /** up: last attempt succeeded (or none yet); down: the target is failing (details say why). */
  health(): { failing: boolean; consecutiveFailures: number; lastError: string | null; lastDeliveredAt: number | null } {
    return { failing: this.consecutiveFailures > 0, consecutiveFailures: this.consecutiveFailures, lastError: this.lastError, lastDeliveredAt: this.lastDeliveredAt };
  }

  /** Stops taking rows and waits for deliveries in flight (their outcome is still recorded). */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    return Promise.allSettled([...this.inFlight]).then(() => undefined);
  }
}
