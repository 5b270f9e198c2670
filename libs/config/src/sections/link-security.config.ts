import { IsBoolean, IsOptional, IsString } from 'class-validator';

/**
 * TLS of a TCP or Redis link (PEM file paths, read once at boot). The TCP consumer needs `cert` and
 * `key`; producers verify it with `ca` (or the system CAs). With `cert`/`key` on a producer too, the
 * consumer may require client certificates (`ca` on the consumer). Redis: use a rediss:// URL.
 */
export class LinkTlsConfig {
  @IsOptional() @IsString() cert?: string;
  @IsOptional() @IsString() key?: string;
  @IsOptional() @IsString() ca?: string;
  /** Verify the peer's certificate (never turn off outside a lab). */
  @IsBoolean() rejectUnauthorized = true;
  /** Name checked against the consumer's certificate when it differs from `host`. */
  @IsOptional() @IsString() servername?: string;
}
