import type { Redis } from 'ioredis';
import { ClientRedis, ReadPacket, RedisContext, ServerRedis, WritePacket } from '@nestjs/microservices';
import { decodePacket, encodePacket } from './codec';
import { LinkLedger, packetLabels } from './link-ledger';

export interface RedisLinkOptions {
  url: string;
  link: string;
  ledger: LinkLedger;
}

/** Keep reconnecting to an unreachable broker in the background (ioredis retry strategy). */
const RETRY = { retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 1000 };

function redisAddress(url: string): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object } {
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
    let packet: unknown;
    try {
      packet = decodePacket(body);
    } catch (error) {
      this.link.ledger.record(this.link.link, 'received', 'undecodable', undefined, body.length);
      this.link.ledger.malformed(this.link.link, 'undecodable', (error as Error).message);
      return;
    }
    const { pattern, cameraId } = packetLabels(packet);
    this.link.ledger.record(this.link.link, 'received', pattern, cameraId, body.length);
    if (!packet || typeof packet !== 'object') {
      this.link.ledger.malformed(this.link.link, 'not a packet', `decoded to ${typeof packet}`);
      return;
    }
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
    super({
      ...redisAddress(link.url),
      ...RETRY,
      returnBuffers: true,
      deserializer: {
        deserialize: (value: unknown) => {
          const body = value as Buffer;
          this.link.ledger.record(this.link.link, 'received', 'ack', undefined, body.length);
          return decodePacket(body) as never;
        },
      },
    });
  }

  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    try {
      const packet = this.assignPacketId(partialPacket);
      const pattern = this.normalizePattern(partialPacket.pattern);
      const body = encodePacket(this.serializer.serialize(packet));
      const replyChannel = this.getReplyPattern(pattern);
      const publishPacket = () => {
        this.subscriptionsCount.set(replyChannel, (this.subscriptionsCount.get(replyChannel) ?? 0) + 1);
        this.routingMap.set(packet.id, callback);
        this.recordSent(packet, body);
        this.pubClient!.publish(this.getRequestPattern(pattern), body).catch((err: unknown) => callback({ err }));
      };
      if ((this.subscriptionsCount.get(replyChannel) ?? 0) <= 0) {
        this.subClient!.subscribe(replyChannel, (err?: Error | null) => (err ? callback({ err }) : publishPacket()));
      } else {
        publishPacket();
      }
      return () => {
        this.unsubscribeFromChannel(replyChannel);
        this.routingMap.delete(packet.id);
      };
    } catch (err) {
      callback({ err });
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
