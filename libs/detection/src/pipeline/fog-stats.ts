import { ComponentHealth, MetricsService, StatCounter, StatFactory, StatGauge, Sustained } from '@sentinel/telemetry';

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
  /** A frame with tracks picked no crops: the cloud was behind (too many crop deliveries outstanding). */
  | 'crops-deferred'
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
  /** Frames by why the detector ran on them, or `coasted` when the tracker's prediction sufficed (fog.cadence). */
  cadence: Partial<Record<CadenceOutcome, number>>;
}

/** A CadenceReason, or `coasted`. */
export type CadenceOutcome = 'every-frame' | 'interval' | 'heartbeat' | 'no-canvas' | 'no-tracks' | 'fast-motion' | 'unexplained-change' | 'coasted' | 'coasted-behind';

type DetectedOn = keyof FogStatsSnapshot['framesDetectedOn'];

export interface DetectionHealthLimits {
  /** Frames the queue holds (fog.queueSize): at that depth it is full. */
  queueSize: number;
  /** Down once the queue has stayed full this long (fog.queueFullDownAfterMs). */
  queueFullDownAfterMs: number;
  /** Down once this many frames in a row failed in the detector. */
  inferenceFailuresDown?: number;
}
type CropKind = keyof FogStatsSnapshot['cropsSent'];

/**
 * Counts what the fog does: each method is one call that updates the Prometheus metric (when given
 * a MetricsService) and the figure `snapshot()` reads, from one StatCounter.
 */
export class FogStats {
  private readonly frames: StatCounter<'kind' | 'detected_on'>;
  private readonly regions: StatCounter;
  private readonly detections: StatCounter<'label'>;
  private readonly tracks: StatCounter<'label'>;
  private readonly crops: StatCounter<'kind'>;
  private readonly cropBytes: StatCounter;
  private readonly searches: StatCounter;
  private readonly tooSmall: StatCounter;
  private readonly resets: StatCounter<'reason'>;
  private readonly alerts: StatCounter;
  private readonly drops: StatCounter<'reason'>;
  private readonly cadenceOutcomes: StatCounter<'outcome'>;
  private readonly queue: StatGauge;
  private readonly queueFull = new Sustained();
  private inferenceFailuresInARow = 0;
  private lastInferenceError?: string;

  constructor(
    metrics?: MetricsService,
    private readonly limits?: DetectionHealthLimits,
  ) {
    const stat = new StatFactory(metrics);
    this.frames = stat.counter('sentinel_fog_frames_total', 'Frames processed by the fog, by message kind and what the detector ran on', ['kind', 'detected_on']);
    this.regions = stat.counter('sentinel_fog_regions_total', 'Roof regions processed by the fog');
    this.detections = stat.counter('sentinel_fog_detections_total', 'Objects detected, per class', ['label']);
    this.tracks = stat.counter('sentinel_fog_tracks_started_total', 'Tracks started, per class', ['label']);
    this.crops = stat.counter('sentinel_fog_crops_sent_total', 'Crops delivered to the cloud', ['kind']);
    this.cropBytes = stat.counter('sentinel_fog_crop_bytes_total', 'JPEG bytes of the crops delivered to the cloud');
    this.searches = stat.counter('sentinel_fog_face_searches_total', 'Face searches run on person crops');
    this.tooSmall = stat.counter('sentinel_fog_faces_too_small_total', 'Faces found below fog.faces.minFaceSize (not sent as faces)');
    this.resets = stat.counter('sentinel_fog_tracks_reset_total', 'Tracks ended because the person changed, per reason', ['reason']);
    this.alerts = stat.counter('sentinel_fog_alerts_total', 'Suspicious-object alerts raised');
    this.drops = stat.counter('sentinel_fog_drops_total', 'Frames, regions, crops or log lines dropped, per reason', ['reason']);
    this.cadenceOutcomes = stat.counter('sentinel_fog_cadence_total', 'Frames by why the detector ran, or coasted on the tracker (fog.cadence)', ['outcome']);
    this.queue = stat.gauge('sentinel_fog_queue_depth', 'Frames waiting for or in the detector');
  }

  frame(kind: 'frame' | 'regions', detectedOn: DetectedOn): void {
    this.frames.inc({ kind, detected_on: detectedOn });
    this.inferenceFailuresInARow = 0;
  }

  region(): void {
    this.regions.inc();
  }

  detection(label: string): void {
    this.detections.inc({ label });
  }

  trackStarted(label: string): void {
    this.tracks.inc({ label });
  }

  faceSearch(): void {
    this.searches.inc();
  }

  faceTooSmall(): void {
    this.tooSmall.inc();
  }

  trackReset(reason: keyof FogStatsSnapshot['tracksReset'], count = 1): void {
    this.resets.inc({ reason }, count);
  }

  cropSent(kind: CropKind, bytes: number): void {
    this.crops.inc({ kind });
    this.cropBytes.inc(bytes);
  }

  alert(): void {
    this.alerts.inc();
  }

  drop(reason: DropReason, detail?: string): void {
    this.drops.inc({ reason });
    if (reason === 'inference-error') {
      this.inferenceFailuresInARow++;
      this.lastInferenceError = detail;
    }
  }

  cadence(outcome: CadenceOutcome): void {
    this.cadenceOutcomes.inc({ outcome });
  }

  /** `full`: a camera's queue is full (queues are per camera); without it, the whole depth is compared with queueSize. */
  queueDepth(depth: number, now = Date.now(), full?: boolean): void {
    this.queue.set(depth);
    if (this.limits) this.queueFull.update(full ?? depth >= this.limits.queueSize, now);
  }

  /**
   * The detector's state from what it did (and, given, the queue's depth now): down when its queue stayed full for the configured time
   * (inference stuck or far too slow) or when the last frames all failed in the detector.
   */
  health(now = Date.now(), depthNow?: number): Pick<ComponentHealth, 'status' | 'reason'> {
    if (!this.limits) return { status: 'up' };
    // The depth as of now (the last reported one can be a moment stale once the queue went idle).
    if (depthNow !== undefined) this.queueFull.update(depthNow >= this.limits.queueSize, now);
    const fullFor = this.queueFull.heldForMs(now);
    if (fullFor > 0 && fullFor >= this.limits.queueFullDownAfterMs) {
      return { status: 'down', reason: `detector queue full (${this.limits.queueSize} frames) for ${fullFor} ms` };
    }
    const failures = this.limits.inferenceFailuresDown ?? 3;
    if (this.inferenceFailuresInARow >= failures) {
      return { status: 'down', reason: `the last ${this.inferenceFailuresInARow} frames failed in the detector${this.lastInferenceError ? `: ${this.lastInferenceError}` : ''}` };
    }
    return { status: 'up' };
  }

  /** Frames waiting for or in the detector, as last reported. */
  get depth(): number {
    return this.queue.value();
  }

  snapshot(): FogStatsSnapshot {
    const on = this.frames.by('detected_on');
    const crops = this.crops.by('kind');
    return {
      frames: this.frames.total,
      framesDetectedOn: { frame: on.frame ?? 0, canvas: on.canvas ?? 0, regions: on.regions ?? 0 },
      regions: this.regions.total,
      detectionsByClass: this.detections.by('label'),
      tracksStarted: this.tracks.total,
      cropsSent: { face: crops.face ?? 0, person: crops.person ?? 0 },
      cropBytes: this.cropBytes.total,
      faceSearches: this.searches.total,
      facesTooSmall: this.tooSmall.total,
      tracksReset: { 'scene-change': this.resets.value({ reason: 'scene-change' }), 'appearance-change': this.resets.value({ reason: 'appearance-change' }) },
      alerts: this.alerts.total,
      drops: this.drops.by('reason') as FogStatsSnapshot['drops'],
      cadence: this.cadenceOutcomes.by('outcome') as FogStatsSnapshot['cadence'],
    };
  }
}
