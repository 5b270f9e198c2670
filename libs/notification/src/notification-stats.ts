import { Injectable } from '@nestjs/common';
import type { NotificationChannelName } from '@sentinel/config';
import { MetricsService, StatCounter, StatFactory, StatGauge } from '@sentinel/telemetry';

/** Plain numbers for the evaluation report (Prometheus carries the same as metrics). */
export interface NotificationStatsSnapshot {
  alertsReceived: number;
  /** Same alert id accepted twice (a producer retry): acknowledged, not stored nor sent again. */
  alertsDuplicate: number;
  alertsSuppressed: number;
  alertsNotified: number;
  /** Malformed link messages of any pattern, counted and dropped. */
  messagesInvalid: number;
  /** Deliveries that succeeded, all channels (log lines included). */
  notificationsSent: number;
  sentByChannel: Record<NotificationChannelName, number>;
  /** Failed attempts (each is retried later). */
  failedByChannel: Record<NotificationChannelName, number>;
  deadLettered: number;
  outboxDepth: number;
  identitiesKnown: number;
  identitiesUnknown: number;
  identityEventsRecorded: number;
  detectionMessages: number;
  detections: number;
}

const CHANNELS: readonly NotificationChannelName[] = ['webhook', 'mqtt', 'log'];
const perChannel = (counts: Record<string, number>): Record<NotificationChannelName, number> =>
  Object.fromEntries(CHANNELS.map((channel) => [channel, counts[channel] ?? 0])) as Record<NotificationChannelName, number>;

/**
 * The notification module's counters: each method is one call that updates the Prometheus metric
 * and the figure of `snapshot()` (GET /notifications/stats, /stats), from one StatCounter.
 */
@Injectable()
export class NotificationStats {
  private readonly received: StatCounter<'kind'>;
  private readonly suppressed: StatCounter<'kind'>;
  private readonly duplicates: StatCounter;
  private readonly notified: StatCounter;
  private readonly invalid: StatCounter<'pattern'>;
  private readonly deliveries: StatCounter<'channel'>;
  private readonly failures: StatCounter<'channel'>;
  private readonly dead: StatCounter<'channel'>;
  private readonly outbox: StatGauge<'channel'>;
  private readonly identities: StatCounter<'known'>;
  private readonly identityEvents: StatCounter;
  private readonly detectionMessages: StatCounter;
  private readonly detections: StatCounter<'label'>;

  constructor(metrics: MetricsService) {
    const stat = new StatFactory(metrics);
    const figureOnly = new StatFactory();
    this.received = stat.counter('sentinel_notification_alerts_received_total', 'Alerts received by kind', ['kind']);
    this.suppressed = stat.counter('sentinel_notification_alerts_suppressed_total', 'Alerts grouped under an earlier one by the cooldown', ['kind']);
    this.duplicates = stat.counter('sentinel_notification_alerts_duplicate_total', 'Alerts received again with an id already stored');
    this.notified = figureOnly.counter('alerts_notified', '');
    this.invalid = stat.counter('sentinel_notification_messages_invalid_total', 'Malformed messages dropped by the notification module', ['pattern']);
    this.deliveries = stat.counter('sentinel_notification_delivered_total', 'Notifications delivered per channel', ['channel']);
    this.failures = stat.counter('sentinel_notification_failed_total', 'Failed delivery attempts per channel (retried later)', ['channel']);
    this.dead = stat.counter('sentinel_notification_dead_letters_total', 'Deliveries given up per channel', ['channel']);
    this.outbox = stat.gauge('sentinel_notification_outbox_depth', 'Deliveries waiting in the outbox per channel', ['channel']);
    this.identities = stat.counter('sentinel_notification_identities_total', 'Identity messages received', ['known']);
    this.identityEvents = figureOnly.counter('identity_events_recorded', '');
    this.detectionMessages = stat.counter('sentinel_notification_detection_messages_total', 'Detections messages received');
    this.detections = stat.counter('sentinel_notification_detections_total', 'Detections received, by label', ['label']);
  }

  alertReceived(kind: string): void {
    this.received.inc({ kind });
  }

  alertDuplicate(): void {
    this.duplicates.inc();
  }

  alertSuppressed(kind: string): void {
    this.suppressed.inc({ kind });
  }

  alertNotified(): void {
    this.notified.inc();
  }

  messageInvalid(pattern: string): void {
    this.invalid.inc({ pattern });
  }

  delivered(channel: NotificationChannelName): void {
    this.deliveries.inc({ channel });
  }

  deliveryFailed(channel: NotificationChannelName): void {
    this.failures.inc({ channel });
  }

  deadLettered(channel: NotificationChannelName): void {
    this.dead.inc({ channel });
  }

  /** Deliveries waiting per channel (every target's queue falls under its channel). */
  outboxDepth(byChannel: Readonly<Record<string, number>>): void {
    for (const [channel, depth] of Object.entries(byChannel)) this.outbox.set({ channel }, depth);
  }

  identity(known: boolean): void {
    this.identities.inc({ known: known ? 'true' : 'false' });
  }

  identityEventRecorded(): void {
    this.identityEvents.inc();
  }

  /** One detections message, its detections labelled as given (already bounded by the caller). */
  detectionsReceived(labels: readonly string[]): void {
    this.detectionMessages.inc();
    for (const label of labels) this.detections.inc({ label });
  }

  snapshot(): NotificationStatsSnapshot {
    return {
      alertsReceived: this.received.total,
      alertsDuplicate: this.duplicates.total,
      alertsSuppressed: this.suppressed.total,
      alertsNotified: this.notified.total,
      messagesInvalid: this.invalid.total,
      notificationsSent: this.deliveries.total,
      sentByChannel: perChannel(this.deliveries.by('channel')),
      failedByChannel: perChannel(this.failures.by('channel')),
      deadLettered: this.dead.total,
      outboxDepth: this.outbox.total,
      identitiesKnown: this.identities.value({ known: 'true' }),
      identitiesUnknown: this.identities.value({ known: 'false' }),
      identityEventsRecorded: this.identityEvents.total,
      detectionMessages: this.detectionMessages.total,
      detections: this.detections.total,
    };
  }
}
