import { AlertMessage, DetectionsMessage, FrameMessage, Patterns, SCHEMA_VERSION, TrackedDetection } from '@sentinel/contracts';
import type { LinkEmitter } from '@sentinel/transport';
import type { Box } from '../../geometry/box';
import type { DetectionLog, DetectionLogLine } from '../detection-log';
import type { FogStats } from '../fog-stats';
import type { PendingCrop, SentCrop } from './crops';
import type { TrackedFrameDetection } from './track';

/**
 * Stage 7: everything that leaves the fog for a frame: crops to the cloud (waiting when the link is
 * full), alerts and the optional detections message to the notification link, the detection log line.
 * Counts what was delivered and what was not.
 */
export class FogEmitter {
  constructor(
    private readonly links: LinkEmitter,
    private readonly stats: Pick<FogStats, 'drop' | 'cropSent' | 'alert'>,
    private readonly log?: DetectionLog,
  ) {}

  /** Sends the crops in order; returns the ones delivered. */
  async crops(pending: readonly PendingCrop[]): Promise<PendingCrop[]> {
    const delivered: PendingCrop[] = [];
    for (const crop of pending) {
      const outcome = await this.links.emit(Patterns.FaceCrop, crop.message, { whenFull: 'wait' });
      if (outcome !== 'delivered') {
        this.stats.drop('crop-not-delivered');
        continue;
      }
      this.stats.cropSent(crop.sent.kind, crop.sent.bytes);
      delivered.push(crop);
    }
    return delivered;
  }

  async alert(body: AlertMessage): Promise<void> {
    const outcome = await this.links.emit(Patterns.Alert, body, { whenFull: 'wait' });
    if (outcome === 'delivered') this.stats.alert();
    else this.stats.drop('alert-not-delivered');
  }

  async detections(message: FrameMessage, tracked: readonly TrackedFrameDetection[]): Promise<void> {
    const body = Object.assign(new DetectionsMessage(), {
      v: SCHEMA_VERSION,
      cameraId: message.cameraId,
      capturedAt: message.capturedAt,
      seq: message.seq,
      width: message.width,
      height: message.height,
      detections: tracked.map((d) => Object.assign(new TrackedDetection(), { classId: d.classId, label: d.label, score: d.score, box: d.box, trackId: d.trackId })),
    });
    await this.links.emit(Patterns.Detections, body, { whenFull: 'drop' });
  }

  logLine(message: FrameMessage, tracked: readonly TrackedFrameDetection[], sentCrops: readonly SentCrop[], coasted = false): void {
    if (!this.log) return;
    const line: DetectionLogLine = {
      cameraId: message.cameraId,
      seq: message.seq,
      capturedAt: message.capturedAt,
      detectedAt: Date.now(),
      ...(coasted ? { coasted } : {}),
      width: message.width,
      height: message.height,
      kind: message.kind,
      detections: tracked.map((d) => ({ classId: d.classId, label: d.label, score: round(d.score, 4), box: roundBox(d.box), trackId: d.trackId })),
      sentCrops: sentCrops.map((c) => ({ trackId: c.trackId, personBox: roundBox(c.personBox), kind: c.kind, bytes: c.bytes })),
    };
    if (!this.log.write(line)) this.stats.drop('log-backlog');
  }
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));
const roundBox = (b: Box): Box => ({ x: round(b.x, 1), y: round(b.y, 1), width: round(b.width, 1), height: round(b.height, 1) });
