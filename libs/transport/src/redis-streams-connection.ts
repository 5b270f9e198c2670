import Redis, { RedisOptions } from 'ioredis';
import type { LinkTlsConfig } from '@sentinel/config';
import { redisAddress } from './redis-transport';

export interface StreamsAddress {
  url: string;
  link: string;
  /** rediss:// certificate settings. */
  tls?: LinkTlsConfig;
}

/** Reconnect forever, a little slower each time, at most every 2 s. */
const retryStrategy = (attempt: number): number => Math.min(100 * attempt, 2000);

/**
 * An ioredis connection of the streams transport. `queueWhileDown`: commands issued while Redis is
 * unreachable wait for it (acknowledgements: they must land); otherwise they fail at once, which the
 * producer's link channel sees as a transport error and retries with its own deadline.
 */
export function streamsConnection({ url, link, tls }: StreamsAddress, queueWhileDown: boolean, onError: (error: Error) => void): Redis {
  const options: RedisOptions = {
    ...redisAddress(url, link, tls),
    lazyConnect: true,
    retryStrategy,
    enableOfflineQueue: queueWhileDown,
    maxRetriesPerRequest: queueWhileDown ? null : 1,
  };
  const redis = new Redis(options);
  redis.on('error', onError);
  redis.connect().catch(() => undefined); // retried in the background by retryStrategy
  return redis;
}

/** Field/value pairs of a stream entry as ioredis returns them (buffers), as a map. */
export function entryFields(flat: Buffer[] | null | undefined): Map<string, Buffer> | undefined {
  if (!flat) return undefined;
  const fields = new Map<string, Buffer>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i].toString(), flat[i + 1]);
  return fields;
}

/** Wire bytes of an entry: every field name and value, as XADD carries them. */
export function entryBytes(fields: Iterable<[string, Buffer | string]>): number {
  let bytes = 0;
  for (const [name, value] of fields) bytes += Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : value.length);
  return bytes;
}

export const defaultStreamOf = (link: string): string => `sentinel:${link}`;
export const defaultGroupOf = (link: string): string => `sentinel-${link}`;
