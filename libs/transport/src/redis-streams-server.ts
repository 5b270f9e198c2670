import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { BaseRpcContext } from '@nestjs/microservices/ctx-host/base-rpc.context';
import { lastValueFrom } from 'rxjs';
import type { Counter } from 'prom-client';
import type { MetricsService } from '@sentinel/telemetry';
import { isDurablePattern } from '@sentinel/contracts';
import { decodeLinkPacket } from './codec';
import { LinkLedger, packetLabels } from './link-ledger';
import { StreamsAddress, entryBytes, entryFields, streamsConnection } from './redis-streams-connection';
import { withCause } from './redis-streams-keys';
import { CameraLeases, LeaseSettings, LeaseStats } from './camera-leases';
import { resyncKeyOf } from './camera-streams';

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
  /**
   * One stream per camera (`<stream>:cam:<camera>`, links.<link>.perCamera): this consumer reads only
   * the cameras whose lease it holds, so replicas sharing the group share the cameras, one owner each.
   */
  leases?: LeaseSettings;
  /** The site whose Redis this consumer reads (links.<link>.sources): counted per site. */
  site?: string;
}

/** What happened to entries besides a plain first handling, per link (also a Prometheus counter). */
export type StreamEvent = 'handled' | 'recovered' | 'duplicate' | 'reclaimed' | 'retry' | 'dead-letter' | 'trimmed' | 'dropped';

type Entry = [id: Buffer, fields: Buffer[] | null];
type ReadReply = Array<[stream: Buffer, entries: Entry[]]> | null;

const BLOCK_MS = 1000;
/** A resync request outlives a producer pause this long (then the producer's next heartbeat resyncs anyway). */
const RESYNC_TTL_MS = 60_000;
const NO_CAMERA_PAUSE_MS = 100;
const ERROR_PAUSE_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler reply asking the producer for a whole frame (the fog's frame acknowledgement). */
function isResyncReply(reply: unknown): boolean {
  return !!reply && typeof reply === 'object' && (reply as { resync?: unknown }).resync === true;
}

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
  private leaser?: Redis;
  private loggedDrop = false;
  private leases?: CameraLeases;

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
    if (this.options.leases) {
      // Lease commands fail at once while Redis is down (never queued): a lease not renewed in time is let go.
      this.leaser = streamsConnection(this.options, false, onError);
      const token = `${this.consumer}:${randomBytes(4).toString('hex')}`;
      this.leases = new CameraLeases(this.leaser, this.options.stream, token, this.options.leases, {
        acquired: (camera) => this.logger.log(`${this.options.stream}: camera ${camera.camera} now read here (${camera.how})`),
        problem: (message) => this.problem(message),
      }, this.options.metrics && {
        events: this.options.metrics.counter('sentinel_camera_lease_events_total', 'Camera leases of this consumer: first, handover, takeover, released, expired', ['event']),
        owned: this.options.metrics.gauge('sentinel_camera_leases_owned', 'Cameras whose lease this consumer holds'),
      });
      this.leases.start();
      this.loop = this.runLeased();
    } else {
      this.loop = this.run();
    }
    callback();
  }

  async close(): Promise<void> {
    this.running = false;
    this.reader?.disconnect();
    await this.loop?.catch(() => undefined);
    await this.leases?.stop().catch(() => undefined);
    this.leaser?.disconnect();
    await this.writer?.quit().catch(() => this.writer?.disconnect());
  }

  /** The camera leases of a per-camera link (undefined otherwise): what /stats shows. */
  leaseStats(): LeaseStats | undefined {
    return this.leases?.stats();
  }

  on(): void {
    throw new Error('the redis-streams transport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.reader as T;
  }

  /** Counts per event since start, for tests and /stats. */
  stats(): Record<StreamEvent, number> {
    const events: StreamEvent[] = ['handled', 'recovered', 'duplicate', 'reclaimed', 'retry', 'dead-letter', 'trimmed', 'dropped'];
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

  /**
   * Per-camera streams: between batches (nothing in hand) hand over what the plan gives away, take up
   * newly leased cameras (their group, then every entry still pending on any member, e.g. a dead owner,
   * before new ones), then read the cameras still surely ours. A batch read just before a lease ended
   * is left pending: the next owner claims it.
   */
  private async runLeased(): Promise<void> {
    const leases = this.leases!;
    const takenUp = new Set<string>();
    const blockMs = Math.max(50, Math.min(BLOCK_MS, this.options.leases!.renewMs));
    const claimEveryMs = Math.max(100, Math.min(5000, Math.floor(this.options.claimIdleMs / 2)));
    let nextClaimAt = 0;
    while (this.running) {
      try {
        for (const camera of leases.releasing()) await leases.release(camera);
        const owned = leases.readable();
        const streams = new Map(owned.map((camera) => [camera.stream, camera.camera]));
        for (const stream of takenUp) if (!streams.has(stream)) takenUp.delete(stream);
        for (const [stream] of streams) {
          if (takenUp.has(stream)) continue;
          await this.createGroup(stream);
          await this.claimStale(stream, 0);
          takenUp.add(stream);
        }
        if (streams.size === 0) {
          await sleep(NO_CAMERA_PAUSE_MS);
          continue;
        }
        if (Date.now() >= nextClaimAt) {
          for (const [stream] of streams) await this.claimStale(stream);
          nextClaimAt = Date.now() + claimEveryMs;
        }
        const names = [...streams.keys()];
        const { group, batch } = this.options;
        const args = ['GROUP', group, this.consumer, 'COUNT', batch, 'BLOCK', blockMs, 'STREAMS', ...names, ...names.map(() => '>')];
        const reply = (await this.reader!.callBuffer('XREADGROUP', ...args)) as ReadReply;
        await Promise.all(
          (reply ?? []).map(([name, entries]) => {
            const stream = name.toString();
            const camera = streams.get(stream);
            return camera !== undefined && leases.isReadable(camera) ? this.handleAll(entries, 'handled', stream) : undefined;
          }),
        );
        this.lastProblem = undefined;
      } catch (error) {
        if (!this.running) return;
        const message = (error as Error).message ?? String(error);
        if (/NOGROUP/.test(message)) takenUp.clear(); // Redis lost a stream (restarted empty)
        this.problem(message);
        await sleep(ERROR_PAUSE_MS);
      }
    }
  }

  private async createGroup(stream = this.options.stream): Promise<void> {
    try {
      // From the stream's start: what producers appended before this group existed is handled too.
      await this.writer!.xgroup('CREATE', stream, this.options.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!/BUSYGROUP/.test((error as Error).message)) throw error;
    }
    if (stream === this.options.stream) this.groupReady = true;
  }

  private async read(from: string, block: boolean, stream = this.options.stream): Promise<Entry[]> {
    const { group, batch } = this.options;
    const args: Array<string | number> = ['GROUP', group, this.consumer, 'COUNT', batch];
    if (block) args.push('BLOCK', BLOCK_MS);
    const reply = (await this.reader!.callBuffer('XREADGROUP', ...args, 'STREAMS', stream, from)) as ReadReply;
    return reply?.[0]?.[1] ?? [];
  }

  /** XAUTOCLAIM: entries idle on any member (a dead one, or our own failed ones) for claimIdleMs. */
  private async claimStale(stream = this.options.stream, minIdleMs = this.options.claimIdleMs): Promise<void> {
    const { group, batch } = this.options;
    let cursor = '0-0';
    for (let round = 0; round < 10; round += 1) {
      const reply = await this.writer!.callBuffer('XAUTOCLAIM', stream, group, this.consumer, minIdleMs, cursor, 'COUNT', batch);
      const [next, entries, deleted] = reply as [Buffer, Entry[], Buffer[]?];
      for (const id of deleted ?? []) this.lostToTrimming(id.toString(), stream);
      await this.handleAll(entries, 'reclaimed', stream);
      cursor = next.toString();
      if (cursor === '0-0') return;
    }
  }

  private async handleAll(entries: Entry[], event: StreamEvent, stream = this.options.stream): Promise<void> {
    if (this.leases) {
      // A camera's stream: its messages one at a time and in order (the fog's tracks and canvas need
      // it; the stream is the camera's queue), cameras side by side; none started once the lease is
      // no longer surely ours (the rest stay pending for the next owner).
      const camera = this.leases.cameraOf(stream);
      for (const [id, fields] of entries) {
        if (camera === undefined || !this.leases.isReadable(camera)) return;
        await this.handleOnce(id.toString(), fields, event, stream);
      }
      return;
    }
    await Promise.all(entries.map(([id, fields]) => this.handleOnce(id.toString(), fields, event, stream)));
  }

  /** One entry; entries with the same key in one batch are handled once. */
  private async handleOnce(id: string, flat: Buffer[] | null, event: StreamEvent, stream: string): Promise<void> {
    if (this.acking.has(`${stream}#${id}`)) return;
    const fields = entryFields(flat);
    if (!fields) {
      // Pending but gone from the stream: trimmed before anyone acknowledged it.
      this.lostToTrimming(id, stream);
      await this.writer!.xack(stream, this.options.group, id);
      return;
    }
    const key = fields.get('k')?.toString() || `entry:${id}`;
    const earlier = this.inFlight.get(key);
    if (earlier && (await earlier)) {
      await this.acknowledge(stream, id, key, 'duplicate');
      return;
    }
    const handling = this.handle(stream, id, key, fields, event);
    this.inFlight.set(key, handling);
    try {
      await handling;
    } finally {
      if (this.inFlight.get(key) === handling) this.inFlight.delete(key);
    }
  }

  /** Resolves true when the entry's effect is done (handled now or before). */
  private async handle(stream: string, id: string, key: string, fields: Map<string, Buffer>, event: StreamEvent): Promise<boolean> {
    const { ledger, link } = this.options;
    const body = fields.get('b');
    const decoded = body ? decodeLinkPacket(body) : ({ ok: false, reason: 'not a packet', detail: 'stream entry without a body' } as const);
    const { pattern, cameraId, site } = decoded.ok ? packetLabels(decoded.packet) : { pattern: decoded.reason, cameraId: undefined, site: undefined };
    ledger.record(link, 'received', pattern, cameraId, entryBytes(fields), site ?? this.options.site);
    if (!decoded.ok) {
      ledger.malformed(link, decoded.reason, decoded.detail);
      await this.deadLetter(stream, id, fields, decoded.reason);
      return false;
    }
    if (await this.writer!.exists(this.doneKey(stream, key))) {
      await this.acknowledge(stream, id, key, 'duplicate');
      return true;
    }
    const handler = this.getHandlerByPattern(decoded.packet.pattern ?? '');
    if (!handler) {
      ledger.malformed(link, 'no handler', `no handler of ${pattern} on this consumer`);
      await this.deadLetter(stream, id, fields, 'no handler');
      return false;
    }
    let reply: unknown;
    try {
      const context = new BaseRpcContext([pattern]);
      reply = await withCause(key, async () => lastValueFrom(this.transformToObservable(await handler(decoded.packet.data, context)), { defaultValue: undefined }), site ?? this.options.site);
    } catch (error) {
      await this.handlerFailed(stream, id, fields, pattern, error);
      return false;
    }
    await this.acknowledge(stream, id, key, event, isResyncReply(reply));
    return true;
  }

  /** The done mark and the XACK in one MULTI: never one without the other. Queued while Redis is down. */
  private async acknowledge(stream: string, id: string, key: string, event: StreamEvent, resync = false): Promise<void> {
    const { group, dedupeTtlMs } = this.options;
    const ackKey = `${stream}#${id}`;
    this.acking.add(ackKey);
    try {
      const multi = this.writer!.multi().set(this.doneKey(stream, key), '1', 'PX', dedupeTtlMs).xack(stream, group, id);
      // The handler's reply cannot travel back on a stream: a resync request waits for the producer's next append.
      if (resync && this.leases) multi.set(resyncKeyOf(stream), '1', 'PX', RESYNC_TTL_MS);
      await multi.exec();
    } finally {
      this.acking.delete(ackKey);
    }
    this.failures.delete(id);
    this.count(event);
  }

  private async handlerFailed(stream: string, id: string, fields: Map<string, Buffer>, pattern: string, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    if (!isDurablePattern(pattern)) {
      // A frame the handler could not take (its queue full, a bad image): dropped and counted, never
      // retried a claim period later, out of order.
      await this.acknowledge(stream, id, `entry:${id}`, 'dropped');
      if (!this.loggedDrop) this.logger.warn(`${pattern} entry ${id} dropped: ${reason} (further drops are only counted: sentinel_stream_events_total{event="dropped"})`);
      this.loggedDrop = true;
      return;
    }
    if (isRefusal(error)) {
      await this.deadLetter(stream, id, fields, reason);
      return;
    }
    const attempts = (this.failures.get(id) ?? 0) + 1;
    this.failures.set(id, attempts);
    if (attempts >= this.options.maxDeliveries) {
      await this.deadLetter(stream, id, fields, `handler failed ${attempts} times: ${reason}`);
      return;
    }
    this.count('retry');
    this.logger.warn(`${pattern} entry ${id}: handler failed (${reason}); left pending, retried after ${this.options.claimIdleMs} ms`);
  }

  /** Kept in `<stream>:dead` with the reason, then acknowledged: inspectable, never lost silently. */
  private async deadLetter(stream: string, id: string, fields: Map<string, Buffer>, reason: string): Promise<void> {
    const { group } = this.options;
    const kept = [...fields].flat();
    await this.writer!.multi()
      .xadd(`${stream}:dead`, 'MAXLEN', '~', 10_000, '*', ...kept, 'entry', id, 'reason', reason.slice(0, 500))
      .xack(stream, group, id)
      .exec();
    this.failures.delete(id);
    this.count('dead-letter');
    this.logger.warn(`${stream} entry ${id} moved to ${stream}:dead: ${reason}`);
  }

  private lostToTrimming(id: string, stream: string): void {
    this.count('trimmed');
    this.options.ledger.malformed(this.options.link, 'trimmed before handled', `entry ${id} was trimmed from ${stream} while pending`);
  }

  private doneKey(stream: string, key: string): string {
    return `${stream}:done:${this.options.group}:${key}`;
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
