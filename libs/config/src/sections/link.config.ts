import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { LinkTlsConfig } from './link-security.config';

export const TransportKinds = ['inproc', 'tcp', 'redis'] as const;
export type TransportKind = (typeof TransportKinds)[number];

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

  /** redis: e.g. redis://127.0.0.1:6379 */
  @ValidateIf((l: LinkConfig) => l.transport === 'redis')
  @Matches(/^rediss?:\/\//, { message: 'url must be a redis:// or rediss:// URL' })
  @IsString({ message: 'url is required for the redis transport' })
  url?: string;

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
