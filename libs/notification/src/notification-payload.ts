import { SCHEMA_VERSION } from '@sentinel/contracts';
import type { AlertMessage } from '@sentinel/contracts';

/** The alert's own fields, as every channel passes them on (no snapshot bytes, no link timing). */
export type AlertFields = Pick<AlertMessage, 'id' | 'kind' | 'cameraId' | 'at' | 'capturedAt' | 'subject' | 'label' | 'trackId' | 'score' | 'boxes' | 'message' | 'details'>;

/**
 * What every channel sends for one alert (webhook body, MQTT payload on both topics). JSON, never
 * the snapshot bytes: `snapshotUrl` points at `GET /events/:id/snapshot.jpg` instead.
 */
export interface NotificationPayload extends AlertFields {
  v: number;
  /** Absolute when `notification.publicBaseUrl` is set, else a path; null without a snapshot. */
  snapshotUrl: string | null;
}

export function snapshotPath(eventId: string): string {
  return `/events/${encodeURIComponent(eventId)}/snapshot.jpg`;
}

export function toNotificationPayload(alert: AlertMessage, publicBaseUrl?: string): NotificationPayload {
  const path = snapshotPath(alert.id);
  return {
    v: SCHEMA_VERSION,
    id: alert.id,
    kind: alert.kind,
    cameraId: alert.cameraId,
    at: alert.at,
    capturedAt: alert.capturedAt,
    subject: alert.subject,
    label: alert.label,
    trackId: alert.trackId,
    score: alert.score,
    boxes: alert.boxes?.map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height })),
    message: alert.message,
    details: alert.details,
    snapshotUrl: alert.snapshot?.length ? (publicBaseUrl ? `${publicBaseUrl.replace(/\/+$/, '')}${path}` : path) : null,
  };
}
