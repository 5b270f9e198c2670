import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { LinkTlsConfig } from './link-security.config';

export const WhenFullChoices = ['wait', 'drop'] as const;
export type WhenFull = (typeof WhenFullChoices)[number];

/** Names of streams, groups and consumers: safe in Redis keys and logs. */
const REDIS_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

export const TransportKinds = ['inproc', 'tcp', 'redis', 'redis-streams'] as const;
export type TransportKind = (typeof TransportKinds)[number];

/** Another Redis a redis-streams consumer reads the link's stream from: a site's own, next to its producers. */
export class LinkSourceConfig {
  /** The site whose producers append there (counted per site, stamped on its messages that carry none). */
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'site must match [A-Za-z0-9_.-]{1,64}' }) @IsString() site!: string;
  @Matches(/^rediss?:\/\//, { message: 'url must be a redis:// or rediss:// URL' }) @IsString() url!: string;
}

/** One tier-to-tier link: how its messages travel. The consumer listens, producers connect. */
export class LinkConfig {
  @IsIn(TransportKinds as unknown as string[], { message: `transport must be one of: ${TransportKinds.join(', ')}` })
  transport: TransportKind = 'inproc';

  /** tcp: the consumer's address, which producers connect to. */
  @ValidateIf((l: LinkConfig) => l.transport === 'tcp')
  @IsString({ message: 'host is required for the tcp transport' })
  host?: string;

  /** tcp: the address the consumer binds (default: host). */
  @IsOptional() @IsString() bindHost?: string;

  @ValidateIf((l: LinkConfig) => l.transport === 'tcp')
  @Min(1, { message: 'port must be 1..65535' })
  @Max(65535, { message: 'port must be 1..65535' })
  @IsInt({ message: 'port is required for the tcp transport and must be an integer' })
  port?: number;

  /** redis, redis-streams: e.g. redis://127.0.0.1:6379 */
  @ValidateIf((l: LinkConfig) => l.transport === 'redis' || l.transport === 'redis-streams')
  @Matches(/^rediss?:\/\//, { message: 'url must be a redis:// or rediss:// URL' })
  @IsString({ message: 'url is required for the redis transport and the redis-streams one' })
  url?: string;

  /** redis-streams: the stream's key (default `sentinel:<link>`). */
  @IsOptional() @Matches(REDIS_NAME, { message: 'stream must match [A-Za-z0-9_.:-]{1,128}' }) stream?: string;

  /**
   * redis-streams: one stream per camera (`<stream>:cam:<camera>`) instead of one for the link. On
   * roofToFog this is what fog replicas need: each fog reads only the cameras whose lease it holds
   * (fog.replicas), and a new owner resumes a camera where the last one's acknowledgements stopped.
   */
  @IsBoolean() perCamera = false;

  /**
   * redis-streams consumer: further Redis servers to read the same stream and group from, one per site
   * (each site's fogs append to their own Redis, so a cut between a site and the cloud only delays).
   * The consumer reads `url` and every source; producers use `url` only.
   */
  @ArrayMaxSize(64) @ValidateNested({ each: true }) @Type(() => LinkSourceConfig) @IsArray() sources: LinkSourceConfig[] = [];

  /**
   * redis-streams: bound of the stream (XADD MAXLEN ~; of each camera's stream with perCamera). Producers of durable patterns wait while this
   * many entries are unacknowledged (so trimming only removes acknowledged history), droppable ones drop.
   */
  @IsInt() @Min(10) @Max(10_000_000) maxLen = 10_000;

  /** redis-streams: the consumer group (default `sentinel-<link>`); replicas of one consumer share it. */
  @IsOptional() @Matches(REDIS_NAME, { message: 'group must match [A-Za-z0-9_.:-]{1,128}' }) group?: string;

  /** redis-streams: this process's name in the group (default: the host name). Keep it stable across restarts. */
  @IsOptional() @Matches(REDIS_NAME, { message: 'consumer must match [A-Za-z0-9_.:-]{1,128}' }) consumer?: string;

  /** redis-streams: an entry pending this long (ms) on a consumer is re-claimed by another (XAUTOCLAIM). */
  @IsInt() @Min(100) @Max(3_600_000) claimIdleMs = 30_000;

  /** redis-streams: a message whose handler failed this many times goes to the dead-letter stream `<stream>:dead`. */
  @IsInt() @Min(1) @Max(1000) maxDeliveries = 5;

  /** redis-streams: how long (ms) a handled message's id is remembered, to ignore a second copy. */
  @IsInt() @Min(1000) @Max(30 * 86_400_000) dedupeTtlMs = 86_400_000;

  /**
   * What a producer does with a droppable message (frames, detections) when the link is full; unset:
   * the producer's choice (the roof: live and paced sources drop, unpaced files wait). Durable
   * patterns always wait.
   */
  @IsOptional() @IsIn(WhenFullChoices as unknown as string[], { message: 'whenFull must be wait or drop' }) whenFull?: WhenFull;

  /** Callers allowed to wait for room beyond `window`; past that a droppable message is dropped (bounded memory). */
  @IsInt() @Min(0) @Max(100_000) maxQueued = 256;

  /** Messages in flight (sent, not yet acknowledged by the consumer) before a producer waits or drops. */
  @IsInt() @Min(1) @Max(10_000) window = 16;

  /** Give up on one message after this long (ms): counted as failed. */
  @IsInt() @Min(100) @Max(600_000) timeoutMs = 30_000;

  /** tcp or redis (rediss://): TLS settings. */
  @IsOptional() @ValidateNested() @Type(() => LinkTlsConfig) tls?: LinkTlsConfig;

  /**
   * Largest message (bytes on the wire) a producer sends and a consumer accepts; bigger ones are counted
   * and dropped. Default: 64 MiB on TCP, 16 MiB on Redis (Redis drops a subscriber past 32 MiB of output buffer).
   */
  @IsOptional() @IsInt() @Min(1024) @Max(1024 * 1024 * 1024) maxMessageBytes?: number;

  /** tcp: connections the consumer accepts at once; more are closed on arrival and counted. */
  @IsInt() @Min(1) @Max(65_536) maxConnections = 64;
}

export class LinksConfig {
  @ValidateNested() @Type(() => LinkConfig) roofToFog: LinkConfig = new LinkConfig();
  @ValidateNested() @Type(() => LinkConfig) fogToCloud: LinkConfig = new LinkConfig();
  @ValidateNested() @Type(() => LinkConfig) notification: LinkConfig = new LinkConfig();
}
