import type { FogConfig } from '@sentinel/config';
import { DwellAlert, SuspiciousWatch } from '../../alerts/suspicious-watch';
import type { RgbImage } from '../../image/decode-image';
import { PERSON_CLASS } from '../../model/labels';
import type { FrameDetection } from '../../postprocess/postprocess';
import { AppearanceWatch, boxHistogram } from '../../tracking/appearance';
import { IouTracker, Track } from '../../tracking/iou-tracker';
import { SceneWatch } from '../../tracking/scene-change';
import type { PlacedImage } from '../frame-canvas';
import { localBox } from './crops';

export interface TrackedFrameDetection extends FrameDetection {
  trackId: number;
}

export interface TrackResult {
  tracked: TrackedFrameDetection[];
  started: Track[];
  /** Ids of the tracks that ended in this frame (their per-track state elsewhere can go). */
  ended: number[];
  /** Tracks ended because the person changed: every track at a scene change, or one whose appearance jumped. */
  reset: { 'scene-change': number; 'appearance-change': number };
  /** Suspicious objects that stayed long enough in this frame. */
  dwellAlerts: DwellAlert[];
}

/** The pixels a frame's detections were found in; `whole` when the detector saw the whole frame. */
export interface TrackPixels {
  images: readonly PlacedImage[];
  whole?: RgbImage;
}

/**
 * Stage 5, one per camera: detections join tracks; a track ends when the person changes (a scene
 * change ends them all, a person box whose colours no longer match its track starts a new track);
 * the suspicious-object watch follows the tracks.
 */
export class TrackStage {
  private readonly tracker: IouTracker;
  private readonly watch: SuspiciousWatch;
  private readonly scene: SceneWatch;
  private readonly appearance: AppearanceWatch;

  constructor(cameraId: string, config: Pick<FogConfig, 'tracker' | 'suspicious' | 'faces'>, suspiciousIds: ReadonlySet<number>) {
    const { tracker, suspicious, faces } = config;
    this.tracker = new IouTracker({ iouThreshold: tracker.iouThreshold, maxIdleMs: tracker.maxIdleMs, maxTracks: tracker.maxTracksPerCamera });
    this.watch = new SuspiciousWatch({
      classIds: suspiciousIds,
      minDwellMs: suspicious.minDwellMs,
      zones: suspicious.zones.filter((z) => z.cameraId === cameraId).map((z) => ({ name: z.name, points: z.points })),
    });
    this.scene = new SceneWatch({ cellDelta: faces.sceneCellDelta, fraction: faces.sceneChangeFraction });
    this.appearance = new AppearanceWatch(faces.appearanceMinOverlap);
  }

  /** The camera's live tracks (for the detection cadence's prediction). */
  get active(): readonly Track[] {
    return this.tracker.active;
  }

  update(detections: readonly FrameDetection[], at: number, pixels: TrackPixels): TrackResult {
    const reset = { 'scene-change': 0, 'appearance-change': 0 };
    const ended: Track[] = [];
    if (pixels.whole && this.scene.changed(pixels.whole)) {
      const all = this.tracker.endAll();
      reset['scene-change'] = all.length;
      ended.push(...all);
    }
    const update = this.tracker.update(detections, at);
    ended.push(...update.ended);
    const started = [...update.started];
    const assigned = [...update.assigned];
    detections.forEach((d, i) => {
      if (d.classId !== PERSON_CLASS) return;
      const placed = pixels.images[d.source];
      const histogram = placed ? boxHistogram(placed.image, localBox(d.box, placed)) : null;
      if (!histogram) return;
      const track = assigned[i];
      if (!this.appearance.changed(track.id, histogram)) return; // a new track's first look is learnt here
      const next = this.tracker.restart(track.id, at)!;
      ended.push(track);
      started.push(next);
      assigned[i] = next;
      this.appearance.forget(track.id);
      this.appearance.changed(next.id, histogram);
      reset['appearance-change']++;
    });
    for (const track of ended) {
      this.watch.forget(track.id);
      this.appearance.forget(track.id);
    }
    const tracked: TrackedFrameDetection[] = detections.map((d, i) => ({ ...d, trackId: assigned[i].id }));
    const dwellAlerts = this.watch.update(
      tracked.map((d) => ({ trackId: d.trackId, classId: d.classId, box: d.box })),
      at,
    );
    return { tracked, started, ended: ended.map((t) => t.id), reset, dwellAlerts };
  }
}
