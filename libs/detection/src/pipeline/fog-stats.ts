import type { Counter, Gauge } from 'prom-client';
import type { MetricsService } from '@sentinel/telemetry';

/** Why a frame, region, crop or log line was dropped (the `reason` label of sentinel_fog_drops_total). */
export type DropReason =
  | 'empty'
  | 'not-an-image'
  | 'corrupt'
  | 'too-many-pixels'
  | 'size-mismatch'
  | 'missing-image'
  | 'video-out-of-step'
  | 'video-decoder-error'
  | 'region-outside-frame'
  | 'region-outside-atlas'
  | 'queue-full'
  | 'inference-error'
  | 'face-search-failed'
  | 'crop-refused'
  | 'crop-not-delivered'
  | 'alert-not-delivered'
  | 'log-backlog';

/** Plain counters of the fog since boot (also exported as Prometheus metrics). */
export interface FogStatsSnapshot {
  frames: number;
  /** Frames by what the detector ran on (see DetectedOn). */
  framesDetectedOn: { frame: number; canvas: number; regions: number };
  regions: number;
  detectionsByClass: Record<string, number>;
  tracksStarted: number;
  cropsSent: { face: number; person: number };
  cropBytes: number;
  faceSearches: number;
  /** Faces found but below fog.faces.minFaceSize: not sent as faces. */
  facesTooSmall: number;
  /** Tracks ended because the person changed: the whole scene, or the track's appearance. */
  tracksReset: { 'scene-change': number; 'appearance-change': number };
  alerts: number;
  drops: Partial<Record<DropReason, number>>;
}

/** Counts what the fog does, in a plain object and (when given a MetricsService) as metrics. */
export class FogStats {
  private readonly s: FogStatsSnapshot = {
    frames: 0,
    framesDetectedOn: { frame: 0, canvas: 0, regions: 0 },
    regions: 0,
    detectionsByClass: {},
    tracksStarted: 0,
    cropsSent: { face: 0, person: 0 },
    cropBytes: 0,
    faceSearches: 0,
    facesTooSmall: 0,
    tracksReset: { 'scene-change': 0, 'appearance-change': 0 },
    alerts: 0,
    drops: {},
  };
  private readonly m?: {
    frames: Counter<string>;
    regions: Counter<string>;
    detections: Counter<string>;
    tracks: Counter<string>;
    crops: Counter<string>;
    cropBytes: Counter<string>;
    searches: Counter<string>;
    tooSmall: Counter<string>;
    resets: Counter<string>;
    alerts: Counter<string>;
    drops: Counter<string>;
    queue: Gauge<string>;
  };

  constructor(metrics?: MetricsService) {
    if (!metrics) return;
    this.m = {
      frames: metrics.counter('sentinel_fog_frames_total', 'Frames processed by the fog, by message kind and what the detector ran on', ['kind', 'detected_on']),
      regions: metrics.counter('sentinel_fog_regions_total', 'Roof regions processed by the fog'),
      detections: metrics.counter('sentinel_fog_detections_total', 'Objects detected, per class', ['label']),
      tracks: metrics.counter('sentinel_fog_tracks_started_total', 'Tracks started, per class', ['label']),
      crops: metrics.counter('sentinel_fog_crops_sent_total', 'Crops delivered to the cloud', ['kind']),
      cropBytes: metrics.counter('sentinel_fog_crop_bytes_total', 'JPEG bytes of the crops delivered to the cloud'),
      searches: metrics.counter('sentinel_fog_face_searches_total', 'Face searches run on person crops'),
      tooSmall: metrics.counter('sentinel_fog_faces_too_small_total', 'Faces found below fog.faces.minFaceSize (not sent as faces)'),
      resets: metrics.counter('sentinel_fog_tracks_reset_total', 'Tracks ended because the person changed, per reason', ['reason']),
      alerts: metrics.counter('sentinel_fog_alerts_total', 'Suspicious-object alerts raised'),
      drops: metrics.counter('sentinel_fog_drops_total', 'Frames, regions, crops or log lines dropped, per reason', ['reason']),
      queue: metrics.gauge('sentinel_fog_queue_depth', 'Frames waiting for or in the detector'),
    };
  }

  frame(kind: 'frame' | 'regions', detectedOn: 'frame' | 'canvas' | 'regions'): void {
    this.s.frames++;
    this.s.framesDetectedOn[detectedOn]++;
    this.m?.frames.inc({ kind, detected_on: detectedOn });
  }

  region(): void {
    this.s.regions++;
    this.m?.regions.inc();
  }

  detection(label: string): void {
    this.s.detectionsByClass[label] = (this.s.detectionsByClass[label] ?? 0) + 1;
    this.m?.detections.inc({ label });
  }

  trackStarted(label: string): void {
    this.s.tracksStarted++;
    this.m?.tracks.inc({ label });
  }

  faceSearch(): void {
    this.s.faceSearches++;
    this.m?.searches.inc();
  }

  faceTooSmall(): void {
    this.s.facesTooSmall++;
    this.m?.tooSmall.inc();
  }

  trackReset(reason: 'scene-change' | 'appearance-change', count = 1): void {
    this.s.tracksReset[reason] += count;
    this.m?.resets.inc({ reason }, count);
  }

  cropSent(kind: 'face' | 'person', bytes: number): void {
    this.s.cropsSent[kind]++;
    this.s.cropBytes += bytes;
    this.m?.crops.inc({ kind });
    this.m?.cropBytes.inc(bytes);
  }

  alert(): void {
    this.s.alerts++;
    this.m?.alerts.inc();
  }

  drop(reason: DropReason): void {
    this.s.drops[reason] = (this.s.drops[reason] ?? 0) + 1;
    this.m?.drops.inc({ reason });
  }

  queueDepth(depth: number): void {
    this.m?.queue.set(depth);
  }

  snapshot(): FogStatsSnapshot {
    return structuredClone(this.s);
  }
}
