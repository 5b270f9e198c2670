import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { Box } from '../geometry/box';

/** One processed frame, as written to the detection log (JSON lines). */
export interface DetectionLogLine {
  cameraId: string;
  seq: number;
  capturedAt: number;
  /** When the fog finished the frame (wall clock, ms): detectedAt - capturedAt is the capture-to-detection latency. */
  detectedAt?: number;
  /** The detector skipped this frame and the tracker's prediction stood in (fog.cadence). */
  coasted?: boolean;
  width: number;
  height: number;
  kind: 'frame' | 'regions';
  detections: { classId: number; label: string; score: number; box: Box; trackId?: number }[];
  sentCrops: { trackId: number; personBox: Box; kind: 'face' | 'person'; bytes: number }[];
}

/**
 * Appends one JSON line per processed frame through a write stream: no sync I/O per frame. When the
 * disk falls behind by more than `maxBacklogBytes`, lines are dropped and counted rather than
 * buffered without bound.
 */
export class DetectionLog {
  private readonly stream: WriteStream;
  private failed: Error | undefined;
  dropped = 0;

  constructor(
    readonly path: string,
    private readonly maxBacklogBytes = 8 * 1024 * 1024,
  ) {
    mkdirSync(dirname(path), { recursive: true }); // once, at boot
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', (error) => (this.failed = error));
  }

  /** Queues a line; false when it was dropped (disk behind or stream failed). */
  write(line: DetectionLogLine): boolean {
    if (this.failed || this.stream.writableLength > this.maxBacklogBytes) {
      this.dropped++;
      return false;
    }
    this.stream.write(`${JSON.stringify(line)}\n`);
    return true;
  }

  /** Resolves when everything written so far has reached the file. */
  flush(): Promise<void> {
    if (this.failed) return Promise.resolve();
    // Writes complete in order: the callback of an empty write runs once everything before it is written.
    return new Promise((resolve) => this.stream.write('', () => resolve()));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
