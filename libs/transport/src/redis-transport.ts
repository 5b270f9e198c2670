import type { Redis } from 'ioredis';
import { ClientRedis, ReadPacket, RedisContext, ServerRedis, WritePacket } from '@nestjs/microservices';
import { decodeLinkPacket, encodePacket } from './codec';
import { LinkLedger, packetLabels } from './link-ledger';

export interface RedisLinkOptions {
  url: string;
  link: string;
  ledger: LinkLedger;
}

/** Keep reconnecting to an unreachable broker in the background (ioredis retry strategy). */
const RETRY = { retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 1000 };

export function redisAddress(url: string): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object } {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(db !== undefined && Number.isInteger(db) && { db }),
    ...(parsed.protocol === 'rediss:' && { tls: {} }),
  };
}

/**
 * Nest's Redis server, carrying MessagePack bodies as binary pub/sub messages instead of JSON text.
 * It starts even when the broker is down and subscribes once it is reachable.
 */
export class BinaryRedisServer extends ServerRedis {
  private subscribed = false;

  constructor(private readonly link: RedisLinkOptions) {
    super({ ...redisAddress(link.url), ...RETRY });
  }

  override start(callback?: () => void): void {
    const sub = this.subClient as unknown as Redis;
    const pub = this.pubClient as unknown as Redis;
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
    super({ ...redisAddress(link.url), ...RETRY, returnBuffers: true });
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
    this.recordSent(packet, body);
    await this.pubClient!.publish(this.normalizePattern(packet.pattern), body);
  }

  private recordSent(packet: unknown, body: Buffer): void {
    const { pattern, cameraId } = packetLabels(packet);
    this.link.ledger.record(this.link.link, 'sent', pattern, cameraId, body.length);
  }
}
