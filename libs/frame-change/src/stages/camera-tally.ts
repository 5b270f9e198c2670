import type { StageTimer } from '@sentinel/telemetry';
import type { EmitOutcome } from '@sentinel/transport';
import type { CameraCounts, CameraState, RoofMetrics } from '../camera/roof-metrics';
import type { Payload } from './frame-encoder';

/** Per-camera figures, a plain object (for /health, reports and tests). */
export interface CameraStats {
  id: string;
  source: string;
  kind: string;
  policy: string;
  state: CameraState;
  width: number;
  height: number;
  fps: number;
  framesDecoded: number;
  framesChanged: number;
  /** Frame messages delivered (acknowledged). */
  framesForwarded: number;
  /** Of those, whole frames / region sets / heartbeats. */
  fullFramesForwarded: number;
  regionFramesForwarded: number;
  heartbeatsForwarded: number;
  regionsForwarded: number;
  droppedCorrupt: number;
  droppedByLink: number;
  failedByLink: number;
  /** Live sources: frames not encoded because `maxInFlight` frames were already being processed. */
  droppedBusy: number;
  encodeErrors: number;
  /** Payload bytes (JPEG or H.264) in delivered frame messages. */
  bytesForwarded: number;
  /** roof.measureRawJpeg: frames and JPEG bytes of every decoded frame. */
  rawJpegFrames: number;
  rawJpegBytes: number;
  restarts: number;
  alertsSent: number;
  lastError?: string;
}

/**
 * Every figure of one camera in one place: each call updates the figure and the matching Prometheus
 * metric (and stage timer) together. Counters live once, in RoofMetrics' StatCounters; the rest
 * (state, format, per-kind splits) in the plain object.
 */
export class CameraTally {
  private readonly stats: Omit<CameraStats, keyof CameraCounts>;
  private readonly label: { camera: string };

  constructor(
    identity: Pick<CameraStats, 'id' | 'source' | 'kind' | 'policy'>,
    private readonly metrics: RoofMetrics,
    private readonly timer: StageTimer,
  ) {
    this.label = { camera: identity.id };
    this.stats = {
      ...identity,
      state: 'starting',
      width: 0,
      height: 0,
      fps: Number.NaN,
      fullFramesForwarded: 0,
      regionFramesForwarded: 0,
      heartbeatsForwarded: 0,
      regionsForwarded: 0,
      encodeErrors: 0,
      rawJpegFrames: 0,
      alertsSent: 0,
    };
    metrics.setState(identity.id, 'starting');
  }

  get state(): CameraState {
    return this.stats.state;
  }

  get framesDecoded(): number {
    return this.metrics.decoded.value(this.label);
  }

  snapshot(): CameraStats {
    return { ...this.stats, ...this.metrics.counts(this.label.camera) };
  }

  setState(state: CameraState): void {
    this.stats.state = state;
    this.metrics.setState(this.label.camera, state);
  }

  format(width: number, height: number, fps: number): void {
    Object.assign(this.stats, { width, height, fps });
  }

  error(message: string): void {
    this.stats.lastError = message;
  }

  decoded(transferMs: number): void {
    this.metrics.decoded.inc(this.label);
    this.timer.record('decode', transferMs);
  }

  changeDetected(changed: boolean, ms: number): void {
    this.timer.record('change-detection', ms);
    if (!changed) return;
    this.metrics.changed.inc(this.label);
  }

  encoded(ms: number): void {
    this.timer.record('encode', ms);
  }

  encodeFailed(message: string): void {
    this.stats.encodeErrors++;
    this.stats.lastError = message;
  }

  rawJpeg(bytes: number): void {
    this.stats.rawJpegFrames++;
    this.metrics.rawJpegBytes.inc(this.label, bytes);
  }

  busyDropped(): void {
    this.metrics.busyDropped.inc(this.label);
  }

  corrupt(count: number): void {
    this.metrics.corrupt.inc(this.label, count);
  }

  restarted(reason: string): void {
    this.stats.lastError = reason;
    this.metrics.restarts.inc(this.label);
  }

  alertSent(): void {
    this.stats.alertsSent++;
  }

  emitted(outcome: EmitOutcome, payload: Payload): void {
    if (outcome === 'dropped') {
      this.metrics.linkDropped.inc(this.label);
      return;
    }
    if (outcome === 'failed') {
      this.metrics.linkFailed.inc(this.label);
      return;
    }
    const bytes = payload.data.length;
    if (payload.kind === 'regions') {
      this.stats.regionFramesForwarded++;
      this.stats.regionsForwarded += payload.regions.length;
    } else {
      this.stats.fullFramesForwarded++;
      if (payload.heartbeat) this.stats.heartbeatsForwarded++;
    }
    this.metrics.forwarded.inc(this.label);
    this.metrics.bytesForwarded.inc(this.label, bytes);
  }
}
