import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { NotificationMqttConfig } from '@sentinel/config';
import { DeliveryError } from '../delivery-error';
import type { DeliveryTarget } from './delivery-target';
import { redactUrl } from './webhook.target';

async function readPem(key: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new Error(`notification.mqtt.tls.${key}: cannot read ${path} (${(error as Error).message})`);
  }
}

/** The topics an alert is published on. */
export function mqttTopics(prefix: string, cameraId: string, kind: string): { events: string; camera: string } {
  const base = prefix.replace(/\/+$/, '');
  return { events: `${base}/events`, camera: `${base}/${cameraId}/${kind}` };
}

/**
 * Publishes each alert on `<prefix>/events` and `<prefix>/<camera>/<kind>` (same JSON payload).
 * The client reconnects in the background; while it is disconnected deliveries fail fast and stay
 * in the outbox, and the queue is woken as soon as the broker is back.
 */
export class MqttTarget implements DeliveryTarget {
  readonly channel = 'mqtt' as const;
  readonly name = 'mqtt';
  /** MQTT keeps one ordered connection: publish one alert at a time. */
  readonly concurrency = 1;
  private client?: MqttClient;
  private readonly readyListeners: Array<() => void> = [];
  private lastError: string | null = null;
  private readonly logger = new Logger('MqttTarget');

  constructor(private readonly config: NotificationMqttConfig) {}

  async start(): Promise<void> {
    const { tls } = this.config;
    const options: IClientOptions = {
      clientId: this.config.clientId ?? `sentinel-notification-${randomBytes(4).toString('hex')}`,
      username: this.config.username,
      password: this.config.password,
      keepalive: this.config.keepaliveSec,
      reconnectPeriod: this.config.reconnectPeriodMs,
      connectTimeout: this.config.connectTimeoutMs,
      rejectUnauthorized: tls.rejectUnauthorized,
      // Deliveries are retried from the outbox; do not let the client queue publishes while offline.
      queueQoSZero: false,
    };
    if (tls.caPath) options.ca = await readPem('caPath', tls.caPath);
    if (tls.certPath) options.cert = await readPem('certPath', tls.certPath);
    if (tls.keyPath) options.key = await readPem('keyPath', tls.keyPath);
    const client = connect(this.config.url, options);
    client.on('connect', () => {
      this.lastError = null;
      this.logger.log(`connected to ${redactUrl(this.config.url)}`);
      for (const listener of this.readyListeners) listener();
    });
    client.on('error', (error) => {
      if (this.lastError !== error.message) this.logger.warn(`broker ${redactUrl(this.config.url)}: ${error.message}`);
      this.lastError = error.message;
    });
    client.on('offline', () => {
      this.lastError ??= 'offline';
    });
    this.client = client;
  }

  onReady(listener: () => void): void {
    this.readyListeners.push(listener);
  }

  async deliver(_alertId: string, body: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new DeliveryError(`broker not connected${this.lastError ? ` (${this.lastError})` : ''}`, false);
    const { cameraId, kind } = JSON.parse(body) as { cameraId: string; kind: string };
    const topics = mqttTopics(this.config.topicPrefix, cameraId, kind);
    await Promise.all([this.publish(client, topics.events, body), this.publish(client, topics.camera, body)]);
  }

  private publish(client: MqttClient, topic: string, body: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new DeliveryError(`publish to ${topic} not acknowledged within ${this.config.publishTimeoutMs} ms`, false)),
        this.config.publishTimeoutMs,
      );
      client.publish(topic, body, { qos: this.config.qos, retain: this.config.retain }, (error) => {
        clearTimeout(timer);
        if (error) reject(new DeliveryError(`publish to ${topic}: ${error.message}`, false));
        else resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  health(): Record<string, unknown> & { connected: boolean } {
    return { url: redactUrl(this.config.url), connected: this.client?.connected ?? false, lastError: this.lastError };
  }
}
