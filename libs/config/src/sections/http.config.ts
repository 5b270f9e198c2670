import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateNested } from 'class-validator';

// class-validator runs the lowest decorator first; with stopAtFirstError the type check must come last.

export const HttpAuthModes = ['api-key', 'none'] as const;
export type HttpAuthMode = (typeof HttpAuthModes)[number];

/** `k1,k2` (env) or a YAML list: a list of strings; a number-looking key stays a string. */
const toStringList = ({ value }: { value: unknown }): unknown => {
  if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter(Boolean);
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'number' ? String(item) : item));
  return value;
};

/** Cross-origin browser access. Closed by default: no CORS header is sent. */
export class HttpCorsConfig {
  /** Origins allowed to call the API from a browser, e.g. `https://ops.example.com`. Empty: none. */
  @Matches(/^https?:\/\/[^\s/]+$/, { each: true, message: 'each origin must be scheme://host[:port], without a path' })
  @ArrayMaxSize(64)
  @IsArray()
  @Transform(toStringList)
  origins: string[] = [];
}

/** HTTPS: both PEM files, read once at boot. Without them the server speaks plain HTTP. */
export class HttpTlsConfig {
  @IsString({ message: 'cert must be the path of a PEM certificate (with http.tls.key)' }) cert!: string;
  @IsString({ message: 'key must be the path of a PEM private key (with http.tls.cert)' }) key!: string;
}

/** Concurrent multipart uploads (enrollment, recognition): each may hold files in memory until decoded. */
export class HttpUploadsConfig {
  /** Uploads in progress at once; one more is refused with 503 and Retry-After. */
  @Min(1) @Max(64) @IsInt() maxConcurrent = 2;
  /** Seconds a refused client is told to wait (Retry-After). */
  @Min(1) @Max(3600) @IsInt() retryAfterSec = 5;
}

export class HttpConfig {
  @IsString() host = '0.0.0.0';
  @Min(0, { message: 'port must be 0..65535 (0 picks a free port)' })
  @Max(65535, { message: 'port must be 0..65535 (0 picks a free port)' })
  @IsInt({ message: 'port must be an integer' })
  port = 3000;

  /**
   * `api-key`: every route but /health* (and /metrics with metricsOpen) needs a key; `none` turns
   * authentication off (explicitly, e.g. behind a gateway that authenticates).
   */
  @IsIn(HttpAuthModes as unknown as string[], { message: `auth must be one of: ${HttpAuthModes.join(', ')}` })
  auth: HttpAuthMode = 'api-key';

  /** Accepted keys (env: SENTINEL_HTTP__APIKEYS=k1,k2). Empty: one is generated into <dataDir>/api-key. */
  @MinLength(1, { each: true, message: 'each api key must be a non-empty string' })
  @IsString({ each: true, message: 'each api key must be a string' })
  @ArrayMaxSize(32)
  @IsArray()
  @Transform(toStringList)
  apiKeys: string[] = [];

  /** Serve /metrics without a key (a Prometheus scraper on a trusted network). */
  @IsBoolean() metricsOpen = false;

  @ValidateNested() @Type(() => HttpCorsConfig) cors: HttpCorsConfig = new HttpCorsConfig();
  @IsOptional() @ValidateNested() @Type(() => HttpTlsConfig) tls?: HttpTlsConfig;
  @ValidateNested() @Type(() => HttpUploadsConfig) uploads: HttpUploadsConfig = new HttpUploadsConfig();
}
