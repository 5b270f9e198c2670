import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

// class-validator runs the lowest decorator first; with stopAtFirstError the type check sits lowest.

export const NotificationChannelNames = ['webhook', 'mqtt', 'log'] as const;
export type NotificationChannelName = (typeof NotificationChannelNames)[number];

const channelMessage = { message: `each channel must be one of: ${NotificationChannelNames.join(', ')}` };

/** Routes alerts whose kind is in `kinds` (`*` matches any kind) to `channels`. The first matching rule wins. */
export class NotificationRouteRule {
  @Matches(/^(\*|[a-z][a-z0-9-]{0,63})$/, { each: true, message: 'each kind must be kebab-case or *' })
  @ArrayMinSize(1)
  @IsArray()
  kinds: string[] = ['*'];

  /** Empty list: alerts of these kinds are stored but sent nowhere. */
  @IsIn(NotificationChannelNames as unknown as string[], { each: true, ...channelMessage })
  @IsArray()
  channels: NotificationChannelName[] = [...NotificationChannelNames];
}

/** Retries of a failed delivery: exponential backoff with jitter. */
export class NotificationRetryConfig {
  @Min(10) @Max(3_600_000) @IsInt() initialDelayMs = 1_000;
  @Min(10) @Max(86_400_000) @IsInt() maxDelayMs = 60_000;
  @Min(1) @Max(10) @IsNumber() factor = 2;
  /** Fraction of each delay that is random (0: none, 1: full jitter). */
  @Min(0) @Max(1) @IsNumber() jitter = 0.5;
  /** A delivery still failing (5xx, 408, 429, network) this long after the alert was accepted is dead-lettered. */
  @Min(1_000) @IsInt() giveUpAfterMs = 86_400_000;
}

export class NotificationWebhookConfig {
  @IsBoolean() enabled = false;

  /** Every URL gets every alert routed to `webhook`, each with its own outbox queue. */
  @ValidateIf((w: NotificationWebhookConfig) => w.enabled || w.urls.length > 0)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { each: true, message: 'each url must be an http(s) URL' })
  @ArrayMaxSize(16)
  @ArrayMinSize(1, { message: 'urls needs at least one URL when the webhook channel is enabled' })
  @IsArray()
  urls: string[] = [];

  /** When set, each request carries `<signatureHeader>: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
  @IsOptional() @MinLength(8) @IsString() secret?: string;
  @Matches(/^[A-Za-z0-9-]{1,64}$/) @IsString() signatureHeader = 'X-Sentinel-Signature';
  @Min(100) @Max(300_000) @IsInt() timeoutMs = 10_000;
  /** Cameras delivered in parallel per URL (one request in flight per camera keeps each camera in order). */
  @Min(1) @Max(64) @IsInt() concurrency = 4;
}

export class NotificationMqttTlsConfig {
  /** PEM files; read once at boot. */
  @IsOptional() @IsString() caPath?: string;
  @IsOptional() @IsString() certPath?: string;
  @IsOptional() @IsString() keyPath?: string;
  @IsBoolean() rejectUnauthorized = true;
}

export class NotificationMqttConfig {
  @IsBoolean() enabled = false;
  /** mqtt://, mqtts://, ws:// or wss:// */
  @Matches(/^(mqtts?|wss?):\/\/\S+$/, { message: 'url must be an mqtt://, mqtts://, ws:// or wss:// URL' }) @IsString()
  url = 'mqtt://127.0.0.1:1883';
  /** Alerts go to `<topicPrefix>/events` and `<topicPrefix>/<cameraId>/<kind>`. */
  @Matches(/^[^#+]+$/, { message: 'topicPrefix must not contain MQTT wildcards' }) @MaxLength(128) @IsString()
  topicPrefix = 'sentinel';
  @IsIn([0, 1, 2]) @IsInt() qos: 0 | 1 | 2 = 1;
  @IsBoolean() retain = false;
  @IsOptional() @IsString() username?: string;
  @IsOptional() @IsString() password?: string;
  /** Default: sentinel-notification-<random>. */
  @IsOptional() @MaxLength(128) @IsString() clientId?: string;
  @Min(0) @Max(3600) @IsInt() keepaliveSec = 30;
  /** Background reconnect interval while the broker is unreachable. */
  @Min(100) @Max(600_000) @IsInt() reconnectPeriodMs = 2_000;
  @Min(100) @Max(600_000) @IsInt() connectTimeoutMs = 10_000;
  /** A publish not acknowledged (QoS 1/2) within this time is retried later. */
  @Min(100) @Max(600_000) @IsInt() publishTimeoutMs = 10_000;
  @ValidateNested() @Type(() => NotificationMqttTlsConfig) tls: NotificationMqttTlsConfig = new NotificationMqttTlsConfig();
}

export class NotificationLogConfig {
  @IsBoolean() enabled = true;
}

export class NotificationRetentionConfig {
  /** Events (and dead letters) older than this (by time received) are deleted. */
  @Min(60_000) @IsInt() maxAgeMs = 30 * 86_400_000;
  /** At most this many events are kept; the oldest go first. */
  @Min(1) @IsInt() maxEvents = 100_000;
  /** How often retention runs (also once at boot). */
  @Min(1_000) @IsInt() intervalMs = 600_000;
}

/** Settings of the notification module. Every property needs class-validator decorators (unknown keys are errors). */
export class NotificationConfig {
  /** SQLite file of the event store and outbox, relative to dataDir unless absolute. */
  @IsString() eventsPath = 'events.sqlite';

  /** One notification per (camera, kind, subject or track) within this window (ms, from the last notification); 0 disables. */
  @Min(0) @Max(86_400_000) @IsInt() cooldownMs = 60_000;

  /**
   * Kinds the cooldown never suppresses. Camera state changes are exempt by default: suppressing the
   * second `camera-down` of down/up/down would leave receivers believing the camera is up.
   */
  @Matches(/^[a-z][a-z0-9-]{0,63}$/, { each: true, message: 'each kind must be kebab-case' }) @ArrayMaxSize(64) @IsArray()
  cooldownExemptKinds: string[] = ['camera-down', 'camera-up'];

  /** Record identity messages as low-priority `identity` events (one per camera and identity per cooldown window). */
  @IsBoolean() identityEvents = true;

  /** Base URL of this service's HTTP API, used to make absolute `snapshotUrl`s in payloads (else a relative path). */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }) @IsString()
  publicBaseUrl?: string;

  @ValidateNested({ each: true }) @Type(() => NotificationRouteRule) @ArrayMaxSize(64) @IsArray()
  routes: NotificationRouteRule[] = [new NotificationRouteRule()];

  @ValidateNested() @Type(() => NotificationRetryConfig) retry: NotificationRetryConfig = new NotificationRetryConfig();
  @ValidateNested() @Type(() => NotificationWebhookConfig) webhook: NotificationWebhookConfig = new NotificationWebhookConfig();
  @ValidateNested() @Type(() => NotificationMqttConfig) mqtt: NotificationMqttConfig = new NotificationMqttConfig();
  @ValidateNested() @Type(() => NotificationLogConfig) log: NotificationLogConfig = new NotificationLogConfig();
  @ValidateNested() @Type(() => NotificationRetentionConfig) retention: NotificationRetentionConfig = new NotificationRetentionConfig();
}
