import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DetectionLogLine } from '@sentinel/detection';

export interface DetectionLogSummary {
  /** Lines of the camera by roof sequence number (0-based decoded frame index). */
  bySeq: Map<number, DetectionLogLine>;
  /** Person tracks with at least one crop delivered to the cloud. */
  tracksWithCrops: Set<number>;
  lines: number;
  unreadable: number;
}

/** Reads the fog's detection log (JSON lines) of one camera. */
export async function readDetectionLog(path: string, cameraId: string): Promise<DetectionLogSummary> {
  const summary: DetectionLogSummary = { bySeq: new Map(), tracksWithCrops: new Set(), lines: 0, unreadable: 0 };
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const text of lines) {
    if (!text.trim()) continue;
    let line: DetectionLogLine;
    try {
      line = JSON.parse(text) as DetectionLogLine;
    } catch {
      summary.unreadable++;
      continue;
    }
    if (line.cameraId !== cameraId) continue;
    summary.lines++;
    summary.bySeq.set(line.seq, line);
    for (const crop of line.sentCrops) summary.tracksWithCrops.add(crop.trackId);
  }
  return summary;
}
