import { AlertKinds, AlertMessage, FrameMessage, SCHEMA_VERSION } from '@sentinel/contracts';
import type { DwellAlert } from '../../alerts/suspicious-watch';
import { encodeCrop } from '../../faces/crop-encoder';
import { expandBox } from '../../geometry/box';
import type { PlacedImage } from '../frame-canvas';
import { localBox } from './crops';
import type { TrackedFrameDetection } from './track';

export interface AlertOptions {
  /** Unique per process start: alert ids of two boots never collide. */
  bootId: string;
  labels: readonly string[];
  snapshotMaxSide: number;
  jpegQuality: number;
}

/** Stage 6b: a suspicious-object alert for a dwell, with a snapshot of the object and its surroundings. */
export async function buildDwellAlert(
  message: FrameMessage,
  at: number,
  alert: DwellAlert,
  tracked: readonly TrackedFrameDetection[],
  images: readonly PlacedImage[],
  options: AlertOptions,
): Promise<AlertMessage> {
  const detection = tracked.find((d) => d.trackId === alert.trackId);
  const placed = detection ? images[detection.source] : undefined;
  let snapshot: Buffer | undefined;
  if (detection && placed) {
    try {
      snapshot = (await encodeCrop(placed.image, expandBox(localBox(detection.box, placed), 0.5), { maxSide: options.snapshotMaxSide, quality: options.jpegQuality, maxBytes: 1024 * 1024 })).jpeg;
    } catch {
      snapshot = undefined;
    }
  }
  const label = options.labels[alert.classId] ?? `class-${alert.classId}`;
  const dwellMs = at - alert.since;
  const seconds = Math.round(dwellMs / 1000);
  return Object.assign(new AlertMessage(), {
    v: SCHEMA_VERSION,
    cameraId: message.cameraId,
    capturedAt: message.capturedAt,
    id: `fog-${options.bootId}-${message.cameraId}-so-${alert.trackId}`,
    kind: AlertKinds.SuspiciousObject,
    at: Date.now(),
    trackId: alert.trackId,
    subject: label,
    label,
    score: detection?.score,
    boxes: [alert.box],
    message: `${label} left ${alert.zone ? `in zone ${alert.zone} ` : ''}on camera ${message.cameraId} for ${seconds} s`,
    ...(snapshot ? { snapshot } : {}),
    details: { since: message.capturedAt - dwellMs, zone: alert.zone ?? null },
  });
}
