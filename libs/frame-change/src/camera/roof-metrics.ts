import type { Counter, Gauge } from 'prom-client';
import type { MetricsService } from '@sentinel/telemetry';

export const CameraStates = ['starting', 'running', 'reconnecting', 'ended', 'failed', 'stopped'] as const;
export type CameraState = (typeof CameraStates)[number];

/** Prometheus metrics of the roof, all labelled by camera. */
export class RoofMetrics {
  readonly decoded: Counter<string>;
  readonly changed: Counter<string>;
  readonly forwarded: Counter<string>;
  readonly corrupt: Counter<string>;
  readonly linkDropped: Counter<string>;
  readonly linkFailed: Counter<string>;
  readonly busyDropped: Counter<string>;
  readonly bytesForwarded: Counter<string>;
  readonly rawJpegBytes: Counter<string>;
  readonly restarts: Counter<string>;
  readonly state: Gauge<string>;

  constructor(metrics: MetricsService) {
    const camera = ['camera'];
    this.decoded = metrics.counter('sentinel_roof_frames_decoded_total', 'Frames decoded from the camera', camera);
    this.changed = metrics.counter('sentinel_roof_frames_changed_total', 'Frames in which change was detected', camera);
    this.forwarded = metrics.counter('sentinel_roof_frames_forwarded_total', 'Frame messages delivered to the fog (frames, regions and heartbeats)', camera);
    this.corrupt = metrics.counter('sentinel_roof_frames_corrupt_total', 'Frames skipped as corrupt (undecodable or truncated)', camera);
    this.linkDropped = metrics.counter('sentinel_roof_frames_link_dropped_total', 'Frame messages dropped because the link was full', camera);
    this.linkFailed = metrics.counter('sentinel_roof_frames_link_failed_total', 'Frame messages sent but not acknowledged', camera);
    this.busyDropped = metrics.counter('sentinel_roof_frames_busy_dropped_total', 'Live frames not encoded because the roof was busy', camera);
    this.bytesForwarded = metrics.counter('sentinel_roof_bytes_forwarded_total', 'JPEG bytes in delivered frame messages', camera);
    this.rawJpegBytes = metrics.counter('sentinel_roof_raw_jpeg_bytes_total', 'JPEG bytes of every decoded frame (only when roof.measureRawJpeg is on)', camera);
    this.restarts = metrics.counter('sentinel_roof_reader_restarts_total', 'ffmpeg reader restarts (reconnects, crashes)', camera);
    this.state = metrics.gauge('sentinel_roof_camera_state', 'Camera state: 1 for the current state', ['camera', 'state']);
  }

  setState(camera: string, state: CameraState): void {
    for (const s of CameraStates) this.state.set({ camera, state: s }, s === state ? 1 : 0);
  }
}
