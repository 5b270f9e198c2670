import type { NotificationChannelName } from '@sentinel/config';
import type { ComponentHealth } from '@sentinel/telemetry';

/** One queue of the outbox: a webhook URL or the MQTT broker. */
export interface DeliveryTarget {
  /** Unique and stable across restarts: it names the target's rows in the outbox. */
  readonly name: string;
  readonly channel: NotificationChannelName;
  /** Cameras delivered in parallel (one in flight per camera keeps each camera in order). */
  readonly concurrency: number;
  /** Sends one alert; throws a DeliveryError (permanent or not) on failure. */
  deliver(alertId: string, body: string): Promise<void>;
  /** Lets the target wake its queue when it becomes ready again (MQTT reconnect). */
  onReady?(listener: () => void): void;
  start?(): Promise<void>;
  stop?(): Promise<void>;
  health(): Omit<ComponentHealth, 'status'> & { connected?: boolean };
}
