import { connect } from 'node:net';
import type { Server as NetServer } from 'node:net';
import type { Server } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type { LinkConfig } from '@sentinel/config';
import type { ComponentHealth, HealthProbe } from '@sentinel/telemetry';
import type { InprocBus } from './inproc-transport';
import type { LinkChannel } from './link-channel';

export type Reachability = { ok: true } | { ok: false; reason: string };

const PROBE_TIMEOUT_MS = 1_000;
/** Peers are probed at most this often, however often /health is asked. */
const PROBE_CACHE_MS = 1_000;

/** host:port of a broker URL, without credentials (reasons end up in logs and /health). */
function brokerAddress(url: string): { host: string; port: number; tls: boolean } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379), tls: parsed.protocol === 'rediss:' };
}

/**
 * Opens a TCP connection to host:port (and with `hello`, writes it and waits for the first byte of an
 * answer), then closes it. Tells whether the peer is there, with the system error code if not.
 */
export function probeTcp(host: string, port: number, hello?: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<Reachability> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: Reachability) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, reason: `no answer from ${host}:${port} within ${timeoutMs} ms` }), timeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, reason: `${host}:${port} unreachable (${error.code ?? error.message})` }));
    socket.once('connect', () => {
      if (!hello) return done({ ok: true });
      socket.once('data', () => done({ ok: true }));
      socket.write(hello);
    });
    socket.once('close', () => done({ ok: false, reason: `${host}:${port} closed the connection` }));
  });
}

/**
 * Probes a Redis broker with a PING (any answer, even an auth error, shows a Redis is there). Over
 * TLS (rediss:// or links.<link>.tls) a plain PING would break the handshake: a TCP connect only.
 */
export function probeRedis(url: string, tlsConfigured = false): Promise<Reachability> {
  const { host, port, tls } = brokerAddress(url);
  return probeTcp(host, port, tls || tlsConfigured ? undefined : 'PING\r\n');
}

/** At most one probe per `ms`; callers in between share the last result. */
function cached<T>(work: () => Promise<T>, ms = PROBE_CACHE_MS): () => Promise<T> {
  let last: { at: number; result: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ms) last = { at: now, result: work() };
    return last.result;
  };
}

/** The consumer's end: is the server listening (TCP), subscribed to a connected broker (Redis), registered (in-process)? */
export function consumerHealth(link: string, config: LinkConfig, server: Server, bus: InprocBus): HealthProbe {
  const base = { transport: config.transport };
  return (): ComponentHealth => {
    switch (config.transport) {
      case 'inproc':
        return bus.isListening(link) ? { status: 'up', ...base } : { status: 'down', ...base, reason: 'in-process server not registered' };
      case 'tcp': {
        const address = `${config.bindHost ?? config.host}:${config.port}`;
        const listening = tryUnwrap<NetServer>(server)?.listening === true;
        return listening ? { status: 'up', ...base, listening: address } : { status: 'down', ...base, reason: `not listening on ${address}` };
      }
      case 'redis': {
        const { host, port } = brokerAddress(config.url!);
        const [pub, sub] = tryUnwrap<[Redis, Redis]>(server) ?? [];
        const states = { subscriber: sub?.status ?? 'not started', publisher: pub?.status ?? 'not started' };
        const up = states.subscriber === 'ready' && states.publisher === 'ready';
        return up ? { status: 'up', ...base, broker: `${host}:${port}`, ...states } : { status: 'down', ...base, broker: `${host}:${port}`, ...states, reason: `broker ${host}:${port} not connected (${states.subscriber})` };
      }
      case 'redis-streams': {
        const { host, port } = brokerAddress(config.url!);
        const reader = tryUnwrap<Redis>(server)?.status ?? 'not started';
        return reader === 'ready' ? { status: 'up', ...base, broker: `${host}:${port}` } : { status: 'down', ...base, broker: `${host}:${port}`, reason: `broker ${host}:${port} not connected (${reader})` };
      }
      default:
        return { status: 'down', ...base, reason: `unknown transport ${String(config.transport)}` };
    }
  };
}

function tryUnwrap<T>(server: Server): T | undefined {
  try {
    return server.unwrap<T>();
  } catch {
    return undefined; // not started yet
  }
}

/**
 * The producer's end: is the peer (TCP consumer or Redis broker) reachable now, and did the last emit
 * get through? Down when the peer is unreachable, degraded when it is there but the last emit failed.
 */
export function producerHealth(link: string, config: LinkConfig, channel: LinkChannel, bus: InprocBus): HealthProbe {
  const reach = cached((): Promise<Reachability> => {
    switch (config.transport) {
      case 'inproc':
        return Promise.resolve(bus.isListening(link) ? { ok: true } : { ok: false, reason: 'no in-process consumer' });
      case 'tcp':
        return probeTcp(config.host!, config.port!);
      case 'redis':
      case 'redis-streams':
        return probeRedis(config.url!, config.tls !== undefined);
      default:
        return Promise.resolve({ ok: false, reason: `unknown transport ${String(config.transport)}` });
    }
  });
  return async (): Promise<ComponentHealth> => {
    const base = { transport: config.transport, pending: channel.pending, ...(channel.lastError && { lastError: channel.lastError }) };
    const peer = await reach();
    if (!peer.ok) return { status: 'down', ...base, reason: `peer unreachable: ${peer.reason}` };
    if (channel.lastError) return { status: 'degraded', ...base, reason: `last emit failed: ${channel.lastError}` };
    return { status: 'up', ...base };
  };
}
