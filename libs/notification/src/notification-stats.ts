import { Injectable } from '@nestjs/common';
import type { NotificationChannelName } from '@sentinel/config';

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

const perChannel = (): Record<NotificationChannelName, number> => ({ webhook: 0, mqtt: 0, log: 0 });

@Injectable()
export class NotificationStats {
  private readonly counts: NotificationStatsSnapshot = {
    alertsReceived: 0,
    alertsDuplicate: 0,
    alertsSuppressed: 0,
    alertsNotified: 0,
    messagesInvalid: 0,
    notificationsSent: 0,
    sentByChannel: perChannel(),
    failedByChannel: perChannel(),
    deadLettered: 0,
    outboxDepth: 0,
    identitiesKnown: 0,
    identitiesUnknown: 0,
    identityEventsRecorded: 0,
    detectionMessages: 0,
    detections: 0,
  };

  /** Mutable view for the service that owns the counting. */
  get mutable(): NotificationStatsSnapshot {
    return this.counts;
  }

  snapshot(): NotificationStatsSnapshot {
    return { ...this.counts, sentByChannel: { ...this.counts.sentByChannel }, failedByChannel: { ...this.counts.failedByChannel } };
  }
}
