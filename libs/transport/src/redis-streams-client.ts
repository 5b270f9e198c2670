import type Redis from 'ioredis';
import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { isDurablePattern } from '@sentinel/contracts';
import { encodePacket } from './codec';
import { LinkLedger, packetLabels } from './link-ledger';
import { parseGroups, unacknowledged } from './redis-streams-backlog';
import { StreamsAddress, entryBytes, streamsConnection } from './redis-streams-connection';
import { attachedKey, messageKey } from './redis-streams-keys';
import { cameraKeyOf, cameraRegistryOf, cameraStreamOf, resyncKeyOf } from './camera-streams';

export interface RedisStreamsProducerOptions extends StreamsAddress {
  ledger: LinkLedger;
  stream: string;
  /** The consumer group, created by the producer too: its lag is what may not be trimmed. */
  group: string;
  maxLen: number;
  /** One stream per camera (`<stream>:cam:<camera>`), registered in `<stream>:cameras`; maxLen bounds each. */
  perCamera?: boolean;
}

/**
 * Unacknowledged entries of one stream: the last reading of Redis, plus the appends issued after that
 * reading was (a reading's reply may be handled after later appends' replies), plus appends reserved,
 * not yet issued.
 */
class StreamRoom {
  readUnacknowledged = 0;
  issuedAtReading = 0;
  issued = 0;
  reserved = 0;
  backlogReadAt = 0;
  groupCreated?: Promise<unknown>;

  constructor(readonly stream: string) {}

  backlog(): number {
    return this.readUnacknowledged + (this.issued - this.issuedAtReading) + this.reserved;
  }
}

/** How long connect() waits for Redis before the channel counts a transport error and retries. */
const CONNECT_WAIT_MS = 1000;
/** The backlog is read from Redis at most this often; appends in between are added locally. */
const BACKLOG_REFRESH_MS = 200;
const FULL_POLL_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An error the link channel classifies as a transport failure (worth retrying). */
function unreachable(link: string, detail: string): Error {
  return Object.assign(new Error(`redis-streams link ${link}: connection unavailable (${detail})`), { code: 'ECONNREFUSED' });
}

/**
 * The producer's end of a durable link: each message is appended to a Redis stream (XADD with
 * MAXLEN ~ maxLen) and counts as delivered once Redis has it; the consumer group reads it whenever
 * it can. Trimming must never remove what a consumer has not acknowledged: while `maxLen` entries
 * are unacknowledged, a durable pattern waits for room and a droppable one is refused (the router
 * counts it as dropped, see `isFull`).
 */
export class RedisStreamsClient extends ClientProxy {
  private readonly logger: Logger;
  private redis?: Redis;
  private readonly rooms = new Map<string, StreamRoom>();
  private lastError?: string;

  constructor(private readonly options: RedisStreamsProducerOptions) {
    super();
    this.logger = new Logger(`Streams ${options.link}`);
  }

  /** True when the message's stream holds `maxLen` unacknowledged entries (as of the last backlog reading). */
  isFull(message?: object): boolean {
    const room = this.room(this.streamOf(message));
    const full = room.backlog() >= this.options.maxLen;
    // A droppable message refused here never reaches the append that reads the backlog again: read it
    // in the background, or a stream once full would refuse droppable messages forever.
    if (full) void this.refreshBacklog(room).catch(() => undefined);
    return full;
  }

  /** The stream a message goes on: the link's, or its camera's (perCamera). */
  private streamOf(message: unknown): string {
    const { stream, perCamera } = this.options;
    if (!perCamera) return stream;
    const cameraId = (message as { cameraId?: unknown } | undefined)?.cameraId;
    return cameraStreamOf(stream, cameraKeyOf(typeof cameraId === 'string' ? cameraId : ''));
  }

  private room(stream: string): StreamRoom {
    let room = this.rooms.get(stream);
    if (!room) {
      room = new StreamRoom(stream);
      this.rooms.set(stream, room);
    }
    return room;
  }

  async connect(): Promise<Redis> {
    const redis = (this.redis ??= streamsConnection(this.options, false, (error) => this.onError(error)));
    if (redis.status !== 'ready') await this.ready(redis);
    if (!this.options.perCamera) await this.ensureGroup(redis, this.room(this.options.stream));
    return redis;
  }

  /** Without the group, XLEN (already trimmed) would hide what trimming removed before anyone read it. */
  private async ensureGroup(redis: Redis, room: StreamRoom): Promise<void> {
    room.groupCreated ??= (async () => {
      try {
        await redis.xgroup('CREATE', room.stream, this.options.group, '0', 'MKSTREAM');
      } catch (error) {
        if (!/BUSYGROUP/.test((error as Error).message)) throw error;
      }
      // Consumers learn of a camera from the registry, once its stream and group exist.
      if (this.options.perCamera) await redis.sadd(cameraRegistryOf(this.options.stream), room.stream.slice(cameraStreamOf(this.options.stream, '').length));
    })().catch((error: Error) => {
      room.groupCreated = undefined;
      throw error;
    });
    await room.groupCreated;
  }

  private async ready(redis: Redis): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        reject(unreachable(this.options.link, this.lastError ?? redis.status));
      }, CONNECT_WAIT_MS);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    if (redis) await redis.quit().catch(() => redis.disconnect());
  }

  unwrap<T>(): T {
    return this.redis as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let active = true;
    this.append(packet, () => active).then(
      (response) => active && callback({ response, isDisposed: true }),
      (err: unknown) => active && callback({ err, isDisposed: true }),
    );
    return () => {
      active = false;
    };
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    await this.append(packet, () => true);
    return undefined as T;
  }

  private async append(packet: ReadPacket, active: () => boolean): Promise<{ entryId: string; resync?: true }> {
    const { link, ledger, maxLen, perCamera } = this.options;
    const pattern = String(packet.pattern);
    const data = packet.data as object;
    const key = attachedKey(data) ?? messageKey(pattern, data);
    const body = encodePacket({ pattern, data });
    const room = this.room(this.streamOf(data));
    const stream = room.stream;
    try {
      if (perCamera && this.redis) await this.ensureGroup(this.redis, room);
      await this.reserveRoom(room, pattern, active);
    } catch (error) {
      // A backlog reading cut by a lost connection is a transport failure (retried), not a refusal.
      if (this.redis?.status !== 'ready') throw unreachable(link, (error as Error).message);
      throw error;
    }
    const redis = this.redis;
    room.reserved -= 1;
    if (!active()) throw new Error(`${pattern} not appended: the producer gave up waiting for room`);
    if (!redis || redis.status !== 'ready') throw unreachable(link, redis?.status ?? 'not connected');
    let entryId: string | null;
    let resync = false;
    try {
      room.issued += 1; // in the same tick as the command is written: readings are ordered against it
      if (perCamera) {
        // A consumer's request for a whole frame (a new owner, a copy out of step) rides on the append's reply.
        // The camera stays registered even if Redis lost its data meanwhile (SADD of a member is a no-op).
        const multi = redis.multi().xadd(stream, 'MAXLEN', '~', maxLen, '*', 'p', pattern, 'k', key, 'b', body).getdel(resyncKeyOf(stream));
        const replies = (await multi.sadd(cameraRegistryOf(this.options.stream), stream.slice(cameraStreamOf(this.options.stream, '').length)).exec()) ?? [];
        const [[appendError, id] = [new Error('no reply'), null], [, flag] = [null, null]] = replies as Array<[Error | null, unknown]>;
        if (appendError) throw appendError;
        entryId = id as string | null;
        resync = flag !== null;
      } else {
        entryId = await redis.xadd(stream, 'MAXLEN', '~', maxLen, '*', 'p', pattern, 'k', key, 'b', body);
      }
    } catch (error) {
      if (redis.status !== 'ready') throw unreachable(link, (error as Error).message);
      throw error;
    }
    const { cameraId, site } = packetLabels({ pattern, data });
    ledger.record(link, 'sent', pattern, cameraId, entryBytes([['p', pattern], ['k', key], ['b', body]]), site);
    return resync ? { entryId: entryId ?? '', resync: true } : { entryId: entryId ?? '' };
  }

  /**
   * Durable patterns wait while the stream is full of unacknowledged entries; droppable ones are
   * refused. The room is reserved in the same tick as the check, so concurrent appends cannot overshoot.
   */
  private async reserveRoom(room: StreamRoom, pattern: string, active: () => boolean): Promise<void> {
    const { maxLen } = this.options;
    await this.refreshBacklog(room);
    if (!isDurablePattern(pattern)) {
      if (room.backlog() >= maxLen) throw new Error(`${room.stream} is full (maxLen ${maxLen} unacknowledged): ${pattern} not appended`);
      room.reserved += 1;
      return;
    }
    let warned = false;
    while (room.backlog() >= maxLen && active()) {
      if (!warned) this.logger.warn(`${room.stream} holds ${room.backlog()} unacknowledged entries (maxLen ${maxLen}): ${pattern} waits for the consumer`);
      warned = true;
      await sleep(FULL_POLL_MS);
      await this.refreshBacklog(room, true);
    }
    room.reserved += 1;
  }

  private async refreshBacklog(room: StreamRoom, force = false): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status !== 'ready' || (!force && Date.now() - room.backlogReadAt < BACKLOG_REFRESH_MS)) return;
    room.backlogReadAt = Date.now();
    const issuedBefore = room.issued;
    const [length, groups] = await Promise.all([redis.xlen(room.stream), redis.xinfo('GROUPS', room.stream).catch(() => [])]);
    if (issuedBefore < room.issuedAtReading) return; // a newer reading already landed
    room.readUnacknowledged = unacknowledged(length, parseGroups(groups));
    room.issuedAtReading = issuedBefore;
  }

  private onError(error: Error): void {
    if (this.lastError === error.message) return;
    this.lastError = error.message;
    this.logger.warn(`${this.options.stream}: ${error.message} (reconnecting)`);
  }
}
