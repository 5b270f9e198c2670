import { SCHEMA_VERSION } from '@sentinel/contracts';
import type { AlertMessage, Box } from '@sentinel/contracts';

/**
 * What every channel sends for one alert (webhook body, MQTT payload on both topics). JSON, never
 * the snapshot bytes: `snapshotUrl` points at `GET /events/:id/snapshot.jpg` instead.
 */
export interface NotificationPayload {
  v: number;
  id: string;
  kind: string;
  cameraId: string;
  /** Epoch ms the alert was raised. */
  at: number;
  /** Epoch ms the source frame was captured. */
  capturedAt: number;
  subject?: string;
  label?: string;
  trackId?: number;
  score?: number;
  boxes?: Box[];
  message?: string;
  details?: Record<string, unknown>;
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
