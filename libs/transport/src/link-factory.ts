import { ClientProxy, Server } from '@nestjs/microservices';
import type { LinkConfig } from '@sentinel/config';
import type { LinkName } from '@sentinel/contracts';
import { guardServerWithContracts } from './contract-guard';
import { InprocBus, InprocClient, InprocServer } from './inproc-transport';
import type { MetricsService } from '@sentinel/telemetry';
import type { LinkLedger } from './link-ledger';
import { RedisStreamsClient } from './redis-streams-client';
import { defaultGroupOf, defaultStreamOf } from './redis-streams-connection';
import { RedisStreamsServer } from './redis-streams-server';
import type { LeaseSettings } from './camera-leases';
import { BinaryRedisClient, BinaryRedisServer, redisLinkSettings } from './redis-transport';
import { createTcpClient, createTcpServer, tcpLinkSettings } from './tcp-transport';

export interface LinkDeps {
  ledger: LinkLedger;
  bus: InprocBus;
  /** Called with each accepted message's transfer time (emit to handler start), in ms. */
  onTransfer?: (link: LinkName, ms: number) => void;
  /** Counters of the durable transport (redis-streams) besides the ledger's. */
  metrics?: MetricsService;
  /** Lease timing of a per-camera redis-streams consumer (links.<link>.perCamera). */
  leases?: LeaseSettings;
}

function unknownTransport(link: string, transport: never): never {
  throw new Error(`links.${link}.transport: unknown transport ${JSON.stringify(transport)}`);
}

/** What both ends of a redis-streams link agree on: the server, the stream and its consumer group. */
function streamsEndpoint(link: LinkName, config: LinkConfig): { url: string; stream: string; group: string; tls: LinkConfig['tls'] } {
  return { url: config.url!, stream: config.stream ?? defaultStreamOf(link), group: config.group ?? defaultGroupOf(link), tls: config.tls };
}

/** The consumer's end of a link: a Nest transport strategy that validates every message it receives. */
export function createLinkServer(link: LinkName, config: LinkConfig, { ledger, bus, onTransfer, metrics, leases }: LinkDeps, site?: string): Server {
  let server: Server;
  switch (config.transport) {
    case 'inproc':
      server = new InprocServer({ bus, link, ledger });
      break;
    case 'tcp':
      server = createTcpServer({ host: config.bindHost ?? config.host!, port: config.port!, link, ledger, ...tcpLinkSettings(config) }) as unknown as Server;
      break;
    case 'redis':
      server = new BinaryRedisServer({ url: config.url!, link, ledger, ...redisLinkSettings(config) }) as unknown as Server;
      break;
    case 'redis-streams':
      server = new RedisStreamsServer({
        ...streamsEndpoint(link, config),
        link,
        ledger,
        metrics,
        consumer: config.consumer,
        batch: config.window,
        claimIdleMs: config.claimIdleMs,
        maxDeliveries: config.maxDeliveries,
        dedupeTtlMs: config.dedupeTtlMs,
        ...(config.perCamera ? { leases: leases ?? { ttlMs: 5000, renewMs: 1000 } } : {}),
        ...(site ? { site } : {}),
      });
      break;
    default:
      return unknownTransport(link, config.transport);
  }
  guardServerWithContracts(server, link, ledger, (_pattern, message) => {
    if (onTransfer && typeof message.sentAt === 'number') onTransfer(link, Math.max(0, Date.now() - message.sentAt));
  });
  return server;
}

/**
 * Every consumer end of a link: one server, or with `sources` (redis-streams) one more per site's
 * Redis, each reading the same stream and group there. Named by site for health (`undefined`: `url`).
 */
export function createLinkServers(link: LinkName, config: LinkConfig, deps: LinkDeps): Array<{ site?: string; server: Server }> {
  const home = { server: createLinkServer(link, config, deps) };
  if (config.transport !== 'redis-streams') return [home];
  return [home, ...config.sources.map((source) => ({ site: source.site, server: createLinkServer(link, { ...config, url: source.url, sources: [] }, deps, source.site) }))];
}

/** The producer's end of a link. */
export function createLinkClient(link: LinkName, config: LinkConfig, { ledger, bus }: LinkDeps): ClientProxy {
  switch (config.transport) {
    case 'inproc':
      return new InprocClient({ bus, link, ledger });
    case 'tcp':
      return createTcpClient({ host: config.host!, port: config.port!, link, ledger, ...tcpLinkSettings(config) }) as unknown as ClientProxy;
    case 'redis':
      return new BinaryRedisClient({ url: config.url!, link, ledger, ...redisLinkSettings(config) }) as unknown as ClientProxy;
    case 'redis-streams':
      return new RedisStreamsClient({ ...streamsEndpoint(link, config), link, ledger, maxLen: config.maxLen, perCamera: config.perCamera });
    default:
      return unknownTransport(link, config.transport);
  }
}
