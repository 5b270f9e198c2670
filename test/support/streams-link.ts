import Redis from 'ioredis';
import type { LinkConfig } from '@sentinel/config';
import type { LinkName } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { InprocBus, type LeaseSettings, LinkChannel, LinkLedger, LinkRouter, RedisStreamsClient, RedisStreamsServer, createLinkClient, createLinkServer } from '@sentinel/transport';
import { REDIS_URL } from './services';

type Handler = (message: never) => Promise<unknown>;

/**
 * A producer router and consumer servers on one Redis Streams link in the machine's Redis, as the
 * product builds them (link factory, channel, router); `close` stops them and deletes the link's keys.
 */
export class StreamsTestLink {
  readonly ledger = new LinkLedger(new MetricsService());
  readonly bus = new InprocBus();
  readonly servers: RedisStreamsServer[] = [];
  readonly client: RedisStreamsClient;
  readonly router: LinkRouter;

  constructor(
    readonly link: LinkName,
    readonly config: LinkConfig,
    /** Per-camera leases of the consumers (links with `perCamera`). */
    private readonly leases?: LeaseSettings,
  ) {
    this.client = createLinkClient(link, config, { ledger: this.ledger, bus: this.bus }) as RedisStreamsClient;
    const channel = new LinkChannel(link, this.client, config, this.ledger);
    this.router = new LinkRouter(new Map([[link, { channel, config, isFull: (message: object) => this.client.isFull(message) }]]), this.ledger);
  }

  /** A consumer with these handlers by pattern; `fields` override the link's config (e.g. its consumer name). */
  async consume(handlers: Record<string, Handler>, fields: Partial<LinkConfig> = {}): Promise<RedisStreamsServer> {
    const config = Object.assign(Object.create(Object.getPrototypeOf(this.config) as object) as LinkConfig, this.config, fields);
    const server = createLinkServer(this.link, config, { ledger: this.ledger, bus: this.bus, leases: this.leases }) as RedisStreamsServer;
    for (const [pattern, handler] of Object.entries(handlers)) server.addHandler(pattern, handler as never, false);
    await new Promise<void>((resolve) => server.listen(() => resolve()));
    this.servers.push(server);
    return server;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close()));
    await this.router.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${this.config.stream}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}
