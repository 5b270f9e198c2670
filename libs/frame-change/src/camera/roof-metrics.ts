import type { Gauge } from 'prom-client';
import { MetricsService, StatCounter, StatFactory } from '@sentinel/telemetry';

export const CameraStates = ['starting', 'running', 'reconnecting', 'ended', 'failed', 'stopped'] as const;
export type CameraState = (typeof CameraStates)[number];

/** The per-camera figures of CameraStats that are counters (each read from its one StatCounter). */
export interface CameraCounts {
  framesDecoded: number;
  framesChanged: number;
  framesForwarded: number;
  droppedCorrupt: number;
  droppedByLink: number;
  failedByLink: number;
  droppedBusy: number;
  bytesForwarded: number;
  rawJpegBytes: number;
  restarts: number;
}

/**
 * Counters of the roof, all labelled by camera: one `inc({ camera })` updates the Prometheus metric
 * and the figure the camera's /health and /stats entry shows (`counts(camera)`).
 */
export class RoofMetrics {
  readonly decoded: StatCounter<'camera'>;
  readonly changed: StatCounter<'camera'>;
  readonly forwarded: StatCounter<'camera'>;
  readonly corrupt: StatCounter<'camera'>;
  readonly linkDropped: StatCounter<'camera'>;
  readonly linkFailed: StatCounter<'camera'>;
  readonly busyDropped: StatCounter<'camera'>;
  readonly bytesForwarded: StatCounter<'camera'>;
  readonly rawJpegBytes: StatCounter<'camera'>;
  readonly restarts: StatCounter<'camera'>;
  readonly state: Gauge<string>;

  constructor(metrics: MetricsService) {
    const stat = new StatFactory(metrics);
    const camera = ['camera'] as const;
    this.decoded = stat.counter('sentinel_roof_frames_decoded_total', 'Frames decoded from the camera', camera);
    this.changed = stat.counter('sentinel_roof_frames_changed_total', 'Frames in which change was detected', camera);
    this.forwarded = stat.counter('sentinel_roof_frames_forwarded_total', 'Frame messages delivered to the fog (frames, regions and heartbeats)', camera);
    this.corrupt = stat.counter('sentinel_roof_frames_corrupt_total', 'Frames skipped as corrupt (undecodable or truncated)', camera);
    this.linkDropped = stat.counter('sentinel_roof_frames_link_dropped_total', 'Frame messages dropped because the link was full', camera);
    this.linkFailed = stat.counter('sentinel_roof_frames_link_failed_total', 'Frame messages sent but not acknowledged', camera);
    this.busyDropped = stat.counter('sentinel_roof_frames_busy_dropped_total', 'Live frames not encoded because the roof was busy', camera);
    this.bytesForwarded = stat.counter('sentinel_roof_bytes_forwarded_total', 'JPEG bytes in delivered frame messages', camera);
    this.rawJpegBytes = stat.counter('sentinel_roof_raw_jpeg_bytes_total', 'JPEG bytes of every decoded frame (only when roof.measureRawJpeg is on)', camera);
    this.restarts = stat.counter('sentinel_roof_reader_restarts_total', 'ffmpeg reader restarts (reconnects, crashes)', camera);
    this.state = metrics.gauge('sentinel_roof_camera_state', 'Camera state: 1 for the current state', ['camera', 'state']);
  }

  setState(camera: string, state: CameraState): void {
    for (const s of CameraStates) this.state.set({ camera, state: s }, s === state ? 1 : 0);
  }

  /** One camera's counters, as CameraStats shows them. */
  counts(camera: string): CameraCounts {
    const of = { camera };
    return {
      framesDecoded: this.decoded.value(of),
      framesChanged: this.changed.value(of),
      framesForwarded: this.forwarded.value(of),
      droppedCorrupt: this.corrupt.value(of),
      droppedByLink: this.linkDropped.value(of),
      failedByLink: this.linkFailed.value(of),
      droppedBusy: this.busyDropped.value(of),
      bytesForwarded: this.bytesForwarded.value(of),
      rawJpegBytes: this.rawJpegBytes.value(of),
      restarts: this.restarts.value(of),
    };
  }
}
