import type Redis from 'ioredis';
import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { isDurablePattern } from '@sentinel/contracts';
import { encodePacket } from './codec';
import { LinkLedger, packetLabels } from './link-ledger';
import { parseGroups, unacknowledged } from './redis-streams-backlog';
import { StreamsAddress, entryBytes, streamsConnection } from './redis-streams-connection';
import { attachedKey, messageKey } from './redis-streams-keys';

export interface RedisStreamsProducerOptions extends StreamsAddress {
  ledger: LinkLedger;
  stream: string;
  /** The consumer group, created by the producer too: its lag is what may not be trimmed. */
  group: string;
  maxLen: number;
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
  /**
   * Unacknowledged entries: the last reading of Redis, plus the appends issued after that reading was
   * (a reading's reply may be handled after later appends' replies), plus appends reserved, not yet issued.
   */
  private readUnacknowledged = 0;
  private issuedAtReading = 0;
  private issued = 0;
  private reserved = 0;
  private backlogReadAt = 0;
  private lastError?: string;
  private groupCreated?: Promise<unknown>;

  constructor(private readonly options: RedisStreamsProducerOptions) {
    super();
    this.logger = new Logger(`Streams ${options.link}`);
  }

  /** True when the stream holds `maxLen` unacknowledged entries (as of the last backlog reading). */
  isFull(): boolean {
    return this.backlog() >= this.options.maxLen;
  }

  private backlog(): number {
    return this.readUnacknowledged + (this.issued - this.issuedAtReading) + this.reserved;
  }

  async connect(): Promise<Redis> {
    const redis = (this.redis ??= streamsConnection(this.options, false, (error) => this.onError(error)));
    if (redis.status !== 'ready') await this.ready(redis);
    // Without the group, XLEN (already trimmed) would hide what trimming removed before anyone read it.
    this.groupCreated ??= redis.xgroup('CREATE', this.options.stream, this.options.group, '0', 'MKSTREAM').catch((error: Error) => {
      if (/BUSYGROUP/.test(error.message)) return;
      this.groupCreated = undefined;
      throw error;
    });
    await this.groupCreated;
    return redis;
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
      (entryId) => active && callback({ response: { entryId }, isDisposed: true }),
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

  private async append(packet: ReadPacket, active: () => boolean): Promise<string> {
    const { link, ledger, stream, maxLen } = this.options;
    const pattern = String(packet.pattern);
    const data = packet.data as object;
    const key = attachedKey(data) ?? messageKey(pattern, data);
    const body = encodePacket({ pattern, data });
    try {
      await this.reserveRoom(pattern, active);
    } catch (error) {
      // A backlog reading cut by a lost connection is a transport failure (retried), not a refusal.
      if (this.redis?.status !== 'ready') throw unreachable(link, (error as Error).message);
      throw error;
    }
    const redis = this.redis;
    this.reserved -= 1;
    if (!active()) throw new Error(`${pattern} not appended: the producer gave up waiting for room`);
    if (!redis || redis.status !== 'ready') throw unreachable(link, redis?.status ?? 'not connected');
    let entryId: string | null;
    try {
      this.issued += 1; // in the same tick as the command is written: readings are ordered against it
      entryId = await redis.xadd(stream, 'MAXLEN', '~', maxLen, '*', 'p', pattern, 'k', key, 'b', body);
    } catch (error) {
      if (redis.status !== 'ready') throw unreachable(link, (error as Error).message);
      throw error;
    }
    const { cameraId } = packetLabels({ pattern, data });
    ledger.record(link, 'sent', pattern, cameraId, entryBytes([['p', pattern], ['k', key], ['b', body]]));
    return entryId ?? '';
  }

  /**
   * Durable patterns wait while the stream is full of unacknowledged entries; droppable ones are
   * refused. The room is reserved in the same tick as the check, so concurrent appends cannot overshoot.
   */
  private async reserveRoom(pattern: string, active: () => boolean): Promise<void> {
    await this.refreshBacklog();
    if (!isDurablePattern(pattern)) {
      if (this.isFull()) throw new Error(`${this.options.stream} is full (maxLen ${this.options.maxLen} unacknowledged): ${pattern} not appended`);
      this.reserved += 1;
      return;
    }
    let warned = false;
    while (this.isFull() && active()) {
      if (!warned) this.logger.warn(`${this.options.stream} holds ${this.backlog()} unacknowledged entries (maxLen ${this.options.maxLen}): ${pattern} waits for the consumer`);
      warned = true;
      await sleep(FULL_POLL_MS);
      await this.refreshBacklog(true);
    }
    this.reserved += 1;
  }

  private async refreshBacklog(force = false): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status !== 'ready' || (!force && Date.now() - this.backlogReadAt < BACKLOG_REFRESH_MS)) return;
    this.backlogReadAt = Date.now();
    const { stream } = this.options;
    const issuedBefore = this.issued;
    const [length, groups] = await Promise.all([redis.xlen(stream), redis.xinfo('GROUPS', stream).catch(() => [])]);
    if (issuedBefore < this.issuedAtReading) return; // a newer reading already landed
    this.readUnacknowledged = unacknowledged(length, parseGroups(groups));
    this.issuedAtReading = issuedBefore;
  }

  private onError(error: Error): void {
    if (this.lastError === error.message) return;
    this.lastError = error.message;
    this.logger.warn(`${this.options.stream}: ${error.message} (reconnecting)`);
  }
}
