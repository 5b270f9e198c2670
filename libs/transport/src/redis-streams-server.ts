import { hostname } from 'node:os';
import type Redis from 'ioredis';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { BaseRpcContext } from '@nestjs/microservices/ctx-host/base-rpc.context';
import { lastValueFrom } from 'rxjs';
import type { Counter } from 'prom-client';
import type { MetricsService } from '@sentinel/telemetry';
import { decodeLinkPacket } from './codec';
import { LinkLedger, packetLabels } from './link-ledger';
import { StreamsAddress, entryBytes, entryFields, streamsConnection } from './redis-streams-connection';
import { withCause } from './redis-streams-keys';

export interface RedisStreamsConsumerOptions extends StreamsAddress {
  ledger: LinkLedger;
  stream: string;
  group: string;
  consumer?: string;
  /** Entries read (and handled concurrently) per XREADGROUP. */
  batch: number;
  claimIdleMs: number;
  maxDeliveries: number;
  dedupeTtlMs: number;
  metrics?: MetricsService;
}

/** What happened to entries besides a plain first handling, per link (also a Prometheus counter). */
export type StreamEvent = 'handled' | 'recovered' | 'duplicate' | 'reclaimed' | 'retry' | 'dead-letter' | 'trimmed';

type Entry = [id: Buffer, fields: Buffer[] | null];
type ReadReply = Array<[stream: Buffer, entries: Entry[]]> | null;

const BLOCK_MS = 1000;
const ERROR_PAUSE_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A refusal by the contract guard (or another handler's error reply): handling it again cannot succeed. */
function isRefusal(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { status?: unknown }).status === 'error';
}

/**
 * The consumer's end of a durable link: reads a Redis stream as one member of a consumer group,
 * acknowledges (XACK) an entry only after its handler succeeded, re-claims entries another member
 * left pending for `claimIdleMs` (XAUTOCLAIM: a consumer that died), and remembers the keys of
 * handled messages (`<stream>:done:<group>:<key>`, written in the same MULTI as the XACK) so a second
 * copy is acknowledged without being handled. A handler that keeps failing sends its entry to
 * `<stream>:dead` after `maxDeliveries` attempts; nothing is dropped silently.
 */
export class RedisStreamsServer extends Server implements CustomTransportStrategy {
  readonly consumer: string;
  private reader?: Redis;
  private writer?: Redis;
  private running = false;
  private loop?: Promise<void>;
  private groupReady = false;
  private readonly failures = new Map<string, number>();
  /** Handled, acknowledgement on its way (queued while Redis is down): never handled twice meanwhile. */
  private readonly acking = new Set<string>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly counts = new Map<StreamEvent, number>();
  private readonly eventsTotal?: Counter<string>;
  private lastProblem?: string;

  constructor(private readonly options: RedisStreamsConsumerOptions) {
    super();
    this.consumer = options.consumer ?? hostname();
    this.eventsTotal = options.metrics?.counter('sentinel_stream_events_total', 'Durable link entries by what happened to them', ['link', 'event']);
  }

  listen(callback: () => void): void {
    const onError = (error: Error) => this.problem(`${error.message} (reconnecting)`);
    this.reader = streamsConnection(this.options, true, onError);
    this.writer = streamsConnection(this.options, true, onError);
    this.running = true;
    this.loop = this.run();
    callback();
  }

  async close(): Promise<void> {
    this.running = false;
    this.reader?.disconnect();
    await this.loop?.catch(() => undefined);
    await this.writer?.quit().catch(() => this.writer?.disconnect());
  }

  on(): void {
    throw new Error('the redis-streams transport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.reader as T;
  }

  /** Counts per event since start, for tests and /stats. */
  stats(): Record<StreamEvent, number> {
    const events: StreamEvent[] = ['handled', 'recovered', 'duplicate', 'reclaimed', 'retry', 'dead-letter', 'trimmed'];
    return Object.fromEntries(events.map((event) => [event, this.counts.get(event) ?? 0])) as Record<StreamEvent, number>;
  }

  private async run(): Promise<void> {
    let ownPendingFrom: string | undefined = '0'; // first our own unacknowledged entries (a restart)
    let nextClaimAt = 0;
    const claimEveryMs = Math.max(100, Math.min(5000, Math.floor(this.options.claimIdleMs / 2)));
    while (this.running) {
      try {
        if (!this.groupReady) await this.createGroup();
        if (ownPendingFrom !== undefined) {
          const entries = await this.read(ownPendingFrom, false);
          ownPendingFrom = entries.length > 0 ? entries[entries.length - 1][0].toString() : undefined;
          await this.handleAll(entries, 'recovered');
          continue;
        }
        if (Date.now() >= nextClaimAt) {
          await this.claimStale();
          nextClaimAt = Date.now() + claimEveryMs;
        }
        await this.handleAll(await this.read('>', true), 'handled');
        this.lastProblem = undefined;
      } catch (error) {
        if (!this.running) return;
        const message = (error as Error).message ?? String(error);
        if (/NOGROUP/.test(message)) this.groupReady = false; // Redis lost the stream (restarted empty)
        this.problem(message);
        ownPendingFrom = '0';
        await sleep(ERROR_PAUSE_MS);
      }
    }
  }

  private async createGroup(): Promise<void> {
    try {
      // From the stream's start: what producers appended before this group existed is handled too.
      await this.writer!.xgroup('CREATE', this.options.stream, this.options.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!/BUSYGROUP/.test((error as Error).message)) throw error;
    }
    this.groupReady = true;
  }

  private async read(from: string, block: boolean): Promise<Entry[]> {
    const { stream, group, batch } = this.options;
    const args: Array<string | number> = ['GROUP', group, this.consumer, 'COUNT', batch];
    if (block) args.push('BLOCK', BLOCK_MS);
    const reply = (await this.reader!.callBuffer('XREADGROUP', ...args, 'STREAMS', stream, from)) as ReadReply;
    return reply?.[0]?.[1] ?? [];
  }

  /** XAUTOCLAIM: entries idle on any member (a dead one, or our own failed ones) for claimIdleMs. */
  private async claimStale(): Promise<void> {
    const { stream, group, claimIdleMs, batch } = this.options;
    let cursor = '0-0';
    for (let round = 0; round < 10; round += 1) {
      const reply = await this.writer!.callBuffer('XAUTOCLAIM', stream, group, this.consumer, claimIdleMs, cursor, 'COUNT', batch);
      const [next, entries, deleted] = reply as [Buffer, Entry[], Buffer[]?];
      for (const id of deleted ?? []) this.lostToTrimming(id.toString());
      await this.handleAll(entries, 'reclaimed');
      cursor = next.toString();
      if (cursor === '0-0') return;
    }
  }

  private async handleAll(entries: Entry[], event: StreamEvent): Promise<void> {
    await Promise.all(entries.map(([id, fields]) => this.handleOnce(id.toString(), fields, event)));
  }

  /** One entry; entries with the same key in one batch are handled once. */
  private async handleOnce(id: string, flat: Buffer[] | null, event: StreamEvent): Promise<void> {
    if (this.acking.has(id)) return;
    const fields = entryFields(flat);
    if (!fields) {
      // Pending but gone from the stream: trimmed before anyone acknowledged it.
      this.lostToTrimming(id);
      await this.writer!.xack(this.options.stream, this.options.group, id);
      return;
    }
    const key = fields.get('k')?.toString() || `entry:${id}`;
    const earlier = this.inFlight.get(key);
    if (earlier && (await earlier)) {
      await this.acknowledge(id, key, 'duplicate');
      return;
    }
    const handling = this.handle(id, key, fields, event);
    this.inFlight.set(key, handling);
    try {
      await handling;
    } finally {
      if (this.inFlight.get(key) === handling) this.inFlight.delete(key);
    }
  }

  /** Resolves true when the entry's effect is done (handled now or before). */
  private async handle(id: string, key: string, fields: Map<string, Buffer>, event: StreamEvent): Promise<boolean> {
    const { ledger, link } = this.options;
    const body = fields.get('b');
    const decoded = body ? decodeLinkPacket(body) : ({ ok: false, reason: 'not a packet', detail: 'stream entry without a body' } as const);
    const { pattern, cameraId } = decoded.ok ? packetLabels(decoded.packet) : { pattern: decoded.reason, cameraId: undefined };
    ledger.record(link, 'received', pattern, cameraId, entryBytes(fields));
    if (!decoded.ok) {
      ledger.malformed(link, decoded.reason, decoded.detail);
      await this.deadLetter(id, fields, decoded.reason);
      return false;
    }
    if (await this.writer!.exists(this.doneKey(key))) {
      await this.acknowledge(id, key, 'duplicate');
      return true;
    }
    const handler = this.getHandlerByPattern(decoded.packet.pattern ?? '');
    if (!handler) {
      ledger.malformed(link, 'no handler', `no handler of ${pattern} on this consumer`);
      await this.deadLetter(id, fields, 'no handler');
      return false;
    }
    try {
      const context = new BaseRpcContext([pattern]);
      await withCause(key, async () => lastValueFrom(this.transformToObservable(await handler(decoded.packet.data, context)), { defaultValue: undefined }));
    } catch (error) {
      await this.handlerFailed(id, fields, pattern, error);
      return false;
    }
    await this.acknowledge(id, key, event);
    return true;
  }

  /** The done mark and the XACK in one MULTI: never one without the other. Queued while Redis is down. */
  private async acknowledge(id: string, key: string, event: StreamEvent): Promise<void> {
    const { stream, group, dedupeTtlMs } = this.options;
    this.acking.add(id);
    try {
      await this.writer!.multi().set(this.doneKey(key), '1', 'PX', dedupeTtlMs).xack(stream, group, id).exec();
    } finally {
      this.acking.delete(id);
    }
    this.failures.delete(id);
    this.count(event);
  }

  private async handlerFailed(id: string, fields: Map<string, Buffer>, pattern: string, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    if (isRefusal(error)) {
      await this.deadLetter(id, fields, reason);
      return;
    }
    const attempts = (this.failures.get(id) ?? 0) + 1;
    this.failures.set(id, attempts);
    if (attempts >= this.options.maxDeliveries) {
      await this.deadLetter(id, fields, `handler failed ${attempts} times: ${reason}`);
      return;
    }
    this.count('retry');
    this.logger.warn(`${pattern} entry ${id}: handler failed (${reason}); left pending, retried after ${this.options.claimIdleMs} ms`);
  }

  /** Kept in `<stream>:dead` with the reason, then acknowledged: inspectable, never lost silently. */
  private async deadLetter(id: string, fields: Map<string, Buffer>, reason: string): Promise<void> {
    const { stream, group } = this.options;
    const kept = [...fields].flat();
    await this.writer!.multi()
      .xadd(`${stream}:dead`, 'MAXLEN', '~', 10_000, '*', ...kept, 'entry', id, 'reason', reason.slice(0, 500))
      .xack(stream, group, id)
      .exec();
    this.failures.delete(id);
    this.count('dead-letter');
    this.logger.warn(`${stream} entry ${id} moved to ${stream}:dead: ${reason}`);
  }

  private lostToTrimming(id: string): void {
    this.count('trimmed');
    this.options.ledger.malformed(this.options.link, 'trimmed before handled', `entry ${id} was trimmed from ${this.options.stream} while pending`);
  }

  private doneKey(key: string): string {
    return `${this.options.stream}:done:${this.options.group}:${key}`;
  }

  private count(event: StreamEvent): void {
    this.counts.set(event, (this.counts.get(event) ?? 0) + 1);
    this.eventsTotal?.inc({ link: this.options.link, event });
  }

  private problem(message: string): void {
    if (this.lastProblem === message) return;
    this.lastProblem = message;
    this.logger.warn(`${this.options.stream} (group ${this.options.group}, consumer ${this.consumer}): ${message}`);
  }
}
