import type { FogConfig } from '@sentinel/config';
import { DwellAlert, SuspiciousWatch } from '../../alerts/suspicious-watch';
import type { FrameDetection } from '../../postprocess/postprocess';
import { IouTracker, Track } from '../../tracking/iou-tracker';

export interface TrackedFrameDetection extends FrameDetection {
  trackId: number;
}

export interface TrackResult {
  tracked: TrackedFrameDetection[];
  started: Track[];
  /** Ids of the tracks that ended in this frame (their per-track state elsewhere can go). */
  ended: number[];
  /** Suspicious objects that stayed long enough in this frame. */
  dwellAlerts: DwellAlert[];
}

/** Stage 5, one per camera: detections join tracks, and the suspicious-object watch follows the tracks. */
export class TrackStage {
  private readonly tracker: IouTracker;
  private readonly watch: SuspiciousWatch;

  constructor(cameraId: string, config: Pick<FogConfig, 'tracker' | 'suspicious'>, suspiciousIds: ReadonlySet<number>) {
    const { tracker, suspicious } = config;
    this.tracker = new IouTracker({ iouThreshold: tracker.iouThreshold, maxIdleMs: tracker.maxIdleMs, maxTracks: tracker.maxTracksPerCamera });
    this.watch = new SuspiciousWatch({
      classIds: suspiciousIds,
      minDwellMs: suspicious.minDwellMs,
      zones: suspicious.zones.filter((z) => z.cameraId === cameraId).map((z) => ({ name: z.name, points: z.points })),
    });
  }

  /** The camera's live tracks (for the detection cadence's prediction). */
  get active(): readonly Track[] {
    return this.tracker.active;
  }

  update(detections: readonly FrameDetection[], at: number): TrackResult {
    const update = this.tracker.update(detections, at);
    for (const track of update.ended) this.watch.forget(track.id);
    const tracked: TrackedFrameDetection[] = detections.map((d, i) => ({ ...d, trackId: update.assigned[i].id }));
    const dwellAlerts = this.watch.update(
      tracked.map((d) => ({ trackId: d.trackId, classId: d.classId, box: d.box })),
      at,
    );
    return { tracked, started: update.started, ended: update.ended.map((t) => t.id), dwellAlerts };
  }
}
