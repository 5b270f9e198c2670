import { Logger } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import type { LinkConfig } from '@sentinel/config';
import type { EmitOptions, EmitOutcome } from './link-emitter';
import type { LinkLedger } from './link-ledger';
import { LinkConnectError, describeError, isTransportError } from './transport-errors';

export { isTransportError } from './transport-errors';

const RETRY_DELAYS_MS = [100, 200, 500, 1000, 2000, 5000];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The producer's end of one link: request/acknowledge over a Nest ClientProxy with at most
 * `window` messages in flight. When the window is full a caller waits (files, reports: nothing is
 * lost and the producer slows to the consumer's pace) or drops (live cameras: fresh frames matter
 * more than old ones). Waiting callers also retry transport failures until `timeoutMs`.
 */
export class LinkChannel {
  private readonly logger: Logger;
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private lastFailure?: string;
  private ready?: Promise<unknown>;

  constructor(
    readonly link: string,
    private readonly client: ClientProxy,
    private readonly config: Pick<LinkConfig, 'window' | 'timeoutMs' | 'transport'>,
    private readonly ledger: LinkLedger,
  ) {
    this.logger = new Logger(`Link ${link}`);
  }

  get pending(): number {
    return this.inFlight + this.waiters.length;
  }

  get lastError(): string | undefined {
    return this.lastFailure;
  }

  async emit(pattern: string, message: object, options: EmitOptions = {}): Promise<EmitOutcome> {
    const whenFull = options.whenFull ?? 'wait';
    if (this.inFlight >= this.config.window) {
      if (whenFull === 'drop') return this.settle(pattern, 'dropped');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight += 1;
    try {
      return this.settle(pattern, await this.sendWithRetries(pattern, message, whenFull === 'wait', options.onReply));
    } finally {
      this.inFlight -= 1;
      this.waiters.shift()?.();
      if (this.pending === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
    }
  }

  /** Resolves when nothing is in flight or waiting. */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async sendWithRetries(pattern: string, message: object, retry: boolean, onReply?: (reply: unknown) => void): Promise<EmitOutcome> {
    const deadline = Date.now() + this.config.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.connected();
        const remaining = Math.max(1, deadline - Date.now());
        const stamped = { ...message, sentAt: Date.now() };
        const reply: unknown = await firstValueFrom(this.client.send(pattern, stamped).pipe(timeout(remaining)), { defaultValue: undefined });
        this.lastFailure = undefined;
        onReply?.(reply);
        return 'delivered';
      } catch (error) {
        const reason = describeError(error);
        if (isTransportError(error)) this.ready = undefined; // connect again before the next send
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];
        if (retry && isTransportError(error) && Date.now() + delay < deadline) {
          if (attempt === 0) this.logger.warn(`${pattern}: ${reason}; retrying for up to ${this.config.timeoutMs} ms`);
          await sleep(delay);
          continue;
        }
        if (this.lastFailure !== reason) this.logger.warn(`${pattern} not delivered: ${reason}`);
        this.lastFailure = reason;
        return 'failed';
      }
    }
  }

  /**
   * One connection attempt shared by every sender. Nest's connect() resolves the caller that starts
   * the connection a few ticks after the callers that find it pending, so without this the first
   * messages of a link went out of order (a camera's second frame reached the fog before its first).
   */
  private connected(): Promise<unknown> {
    this.ready ??= this.client.connect().catch((error: unknown) => {
      this.ready = undefined;
      throw new LinkConnectError(this.link, error);
    });
    return this.ready;
  }

  private settle(pattern: string, outcome: EmitOutcome): EmitOutcome {
    this.ledger.outcome(this.link, pattern, outcome);
    return outcome;
  }
}
