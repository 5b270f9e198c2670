import type { Redis } from 'ioredis';
import { ClientRedis, ReadPacket, RedisContext, ServerRedis, WritePacket } from '@nestjs/microservices';
import type { LinkConfig, LinkTlsConfig } from '@sentinel/config';
import { decodeLinkPacket, encodePacket } from './codec';
import { LinkLedger, packetLabels } from './link-ledger';
import { clientTlsOptions } from './tcp-transport';

/**
 * Default largest Redis message. Redis closes a subscriber whose pub/sub output buffer passes 32 MiB
 * (client-output-buffer-limit pubsub), losing the message for every consumer: stay well below it.
 */
export const MAX_REDIS_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface RedisLinkOptions {
  url: string;
  link: string;
  ledger: LinkLedger;
  /** rediss:// certificate settings (CA of a private broker, client certificate). */
  tls?: LinkTlsConfig;
  /** Largest message body sent or handled (default MAX_REDIS_MESSAGE_BYTES). */
  maxMessageBytes?: number;
}

/** The Redis-specific settings of a link config. */
export function redisLinkSettings(config: LinkConfig): Pick<RedisLinkOptions, 'tls' | 'maxMessageBytes'> {
  return { tls: config.tls, maxMessageBytes: config.maxMessageBytes };
}

const maxBytesOf = (options: RedisLinkOptions) => options.maxMessageBytes ?? MAX_REDIS_MESSAGE_BYTES;

/** Refuses (and counts) a message over the producer's cap before it reaches Redis. */
function checkOutgoingSize(options: RedisLinkOptions, pattern: string, body: Buffer): void {
  const max = maxBytesOf(options);
  if (body.length <= max) return;
  options.ledger.incident(options.link, 'oversized-sent', `refused to publish a ${pattern} message of ${body.length} bytes (maxMessageBytes ${max})`);
  throw new Error(`message of ${body.length} bytes over links.${options.link}.maxMessageBytes (${max})`);
}

/** Counts a subscriber connection lost after it was subscribed, and each time it is back. */
function watchSubscription(sub: Redis, options: RedisLinkOptions, isClosing: () => boolean): void {
  let subscribedOnce = false;
  let lost = false;
  sub.on('ready', () => {
    if (lost) options.ledger.incident(options.link, 'reconnected', 'the Redis subscription is back (messages published meanwhile are lost)');
    subscribedOnce = true;
    lost = false;
  });
  sub.on('close', () => {
    if (!subscribedOnce || lost || isClosing()) return;
    lost = true;
    options.ledger.incident(options.link, 'subscription-lost', 'the Redis subscriber connection closed (e.g. over its output buffer limit); reconnecting');
  });
}

/** Keep reconnecting to an unreachable broker in the background (ioredis retry strategy). */
const RETRY = { retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 1000 };

export function redisAddress(url: string, link: string, tls?: LinkTlsConfig): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object } {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(db !== undefined && Number.isInteger(db) && { db }),
    ...(parsed.protocol === 'rediss:' && { tls: tls ? clientTlsOptions(link, tls) : {} }),
  };
}

/**
 * Nest's Redis server, carrying MessagePack bodies as binary pub/sub messages instead of JSON text.
 * It starts even when the broker is down and subscribes once it is reachable.
 */
export class BinaryRedisServer extends ServerRedis {
  private subscribed = false;
  private closing = false;

  constructor(private readonly link: RedisLinkOptions) {
    super({ ...redisAddress(link.url, link.link, link.tls), ...RETRY });
  }

  override async close(): Promise<void> {
    this.closing = true;
    await super.close();
  }

  override start(callback?: () => void): void {
    const sub = this.subClient as unknown as Redis;
    const pub = this.pubClient as unknown as Redis;
    watchSubscription(sub, this.link, () => this.closing);
    sub.on('ready', () => {
      if (this.subscribed) return; // ioredis re-subscribes by itself after a reconnect
      this.subscribed = true;
      this.bindEvents(sub, pub);
    });
    for (const client of [sub, pub]) client.connect().catch(() => undefined); // retried in the background
    callback?.();
  }

  override bindEvents(subClient: Redis, pubClient: Redis): void {
    subClient.on('messageBuffer', (channel: Buffer, body: Buffer) => {
      void this.receive(channel.toString(), body, pubClient);
    });
    for (const pattern of this.messageHandlers.keys()) void subClient.subscribe(pattern);
  }

  private async receive(channel: string, body: Buffer, pub: Redis): Promise<void> {
    const { ledger, link } = this.link;
    if (body.length > maxBytesOf(this.link)) {
      // Labels are not decoded from an oversized body: counted as an incident and an 'other' message.
      ledger.record(link, 'received', 'other', undefined, body.length);
      ledger.incident(link, 'oversized-received', `dropped a ${body.length}-byte message on ${channel.slice(0, 64)} (maxMessageBytes ${maxBytesOf(this.link)})`);
      return;
    }
    const decoded = decodeLinkPacket(body);
    const { pattern, cameraId } = decoded.ok ? packetLabels(decoded.packet) : { pattern: decoded.reason, cameraId: undefined };
    ledger.record(link, 'received', pattern, cameraId, body.length);
    if (!decoded.ok) {
      ledger.malformed(link, decoded.reason, decoded.detail);
      return;
    }
    const packet = decoded.packet;
    try {
      await this.handleMessage(channel, packet as unknown as string, pub, channel);
    } catch (error) {
      this.logger.error(`handler of ${channel} failed: ${(error as Error).message}`);
    }
  }

  /** Messages arrive decoded already (see receive). */
  override parseMessage(content: unknown): Record<string, unknown> {
    return content as Record<string, unknown>;
  }

  override getPublisher(pub: Redis, pattern: string, id: string, ctx: RedisContext) {
    return (response: WritePacket) => {
      const body = encodePacket(this.serializer.serialize({ ...response, id }));
      this.onProcessingEndHook?.(this.transportId, ctx);
      this.link.ledger.record(this.link.link, 'sent', 'ack', undefined, body.length);
      return pub.publish(this.getReplyPattern(pattern), body);
    };
  }
}

/** Nest's Redis client with binary MessagePack bodies (requests, events and replies). */
export class BinaryRedisClient extends ClientRedis {
  constructor(private readonly link: RedisLinkOptions) {
    super({ ...redisAddress(link.url, link.link, link.tls), ...RETRY, returnBuffers: true });
  }

  /** Replies arrive as binary MessagePack (`returnBuffers`), not JSON text. */
  override createResponseCallback(): (channel: string, buffer: string) => Promise<void> {
    return async (_channel: string, raw: string) => {
      const body = raw as unknown as Buffer;
      this.link.ledger.record(this.link.link, 'received', 'ack', undefined, body.length);
      const decoded = decodeLinkPacket(body);
      if (!decoded.ok) {
        this.link.ledger.malformed(this.link.link, decoded.reason, decoded.detail);
        return;
      }
      const { err, response, isDisposed, id } = decoded.packet as WritePacket & { id: string };
      const callback = this.routingMap.get(id);
      if (!callback) return; // a reply to another producer on the same channel
      callback(isDisposed || err ? { err, response, isDisposed: true } : { err, response });
    };
  }

  /**
   * Reply channels stay subscribed for the client's life. (Nest's client unsubscribes when its last
   * pending request completes; under concurrent requests that races with new ones and loses replies.)
   */
  private readonly replySubscriptions = new Map<string, Promise<unknown>>();

  private subscribeToReplies(channel: string): Promise<unknown> {
    const existing = this.replySubscriptions.get(channel);
    if (existing) return existing;
    const subscribed: Promise<unknown> = this.subClient!.subscribe(channel);
    subscribed.catch(() => this.replySubscriptions.delete(channel));
    this.replySubscriptions.set(channel, subscribed);
    return subscribed;
  }

  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    try {
      const packet = this.assignPacketId(partialPacket);
      const pattern = this.normalizePattern(partialPacket.pattern);
      const body = encodePacket(this.serializer.serialize(packet));
      checkOutgoingSize(this.link, pattern, body);
      this.routingMap.set(packet.id, callback);
      this.subscribeToReplies(this.getReplyPattern(pattern))
        .then(() => {
          this.recordSent(packet, body);
          return this.pubClient!.publish(this.getRequestPattern(pattern), body);
        })
        .catch((err: unknown) => callback({ err, isDisposed: true }));
      return () => this.routingMap.delete(packet.id);
    } catch (err) {
      callback({ err, isDisposed: true });
      return () => undefined;
    }
  }

  protected override async dispatchEvent(packet: ReadPacket): Promise<void> {
    const body = encodePacket(this.serializer.serialize(packet));
    checkOutgoingSize(this.link, this.normalizePattern(packet.pattern), body);
    this.recordSent(packet, body);
    await this.pubClient!.publish(this.normalizePattern(packet.pattern), body);
  }

  private recordSent(packet: unknown, body: Buffer): void {
    const { pattern, cameraId } = packetLabels(packet);
    this.link.ledger.record(this.link.link, 'sent', pattern, cameraId, body.length);
  }
}
