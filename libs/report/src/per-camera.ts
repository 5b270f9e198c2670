import { quantile } from '@sentinel/telemetry';
import type { AccuracyResult, CoverageResult } from '@sentinel/evaluation';
import type { LedgerSnapshot } from './links';

/** One camera's share of a run (`--cameras N` runs N copies of the source as N cameras). */
export interface CameraReport {
  cameraId: string;
  framesDecoded: number;
  /** Frame messages the roof forwarded (whole frames + region sets). */
  framesForwarded: number;
  /** Frames the fog processed (lines of the detection log). */
  framesProcessed: number;
  /** `frame.changed` wire bytes of this camera, roof→fog. */
  roofToFogBytes: number;
  /** `face.crop` wire bytes of this camera, fog→cloud. */
  fogToCloudBytes: number;
  detections: number;
  personDetections: number;
  faceCrops: number;
  /** Frame capture (roof) to detection done (fog), from the detection log's capturedAt/detectedAt. */
  captureToDetectionMs: { count: number; p50: number; p95: number };
  accuracy?: Omit<AccuracyResult, 'pairs'>;
  coverage?: CoverageResult;
}

/** What the report reads of one detection-log line (a structural subset of the fog's DetectionLogLine). */
export interface CameraLogLine {
  capturedAt: number;
  detectedAt?: number;
  detections: readonly { label: string }[];
  sentCrops: readonly { kind: string }[];
}

/** Camera ids of N copies of one source: `<id>`, `<id>-2`, `<id>-3`, ... (N = 1 keeps the id as it is). */
export function cameraIdsFor(sourceId: string, cameras: number): string[] {
  if (!Number.isInteger(cameras) || cameras < 1) throw new RangeError(`cameras must be a positive integer, got ${cameras}`);
  return Array.from({ length: cameras }, (_, i) => (i === 0 ? sourceId : `${sourceId}-${i + 1}`));
}

/** p50/p95 of detectedAt - capturedAt over the lines that carry both (NaN when none do). */
export function captureToDetection(lines: Iterable<CameraLogLine>): CameraReport['captureToDetectionMs'] {
  const samples: number[] = [];
  for (const line of lines) if (typeof line.detectedAt === 'number') samples.push(line.detectedAt - line.capturedAt);
  samples.sort((a, b) => a - b);
  return { count: samples.length, p50: quantile(samples, 0.5), p95: quantile(samples, 0.95) };
}

const cameraWireBytes = (ledger: LedgerSnapshot, link: string, pattern: string, cameraId: string): number => ledger[link]?.byPattern[pattern]?.[cameraId]?.sent.bytes ?? 0;

/** One camera's row: the roof's own counters, the link ledger's cell of the camera, and its detection-log lines. */
export function cameraReport(input: {
  cameraId: string;
  roof: { framesDecoded: number; framesForwarded: number };
  ledger: LedgerSnapshot;
  lines: readonly CameraLogLine[];
  evaluation?: { accuracy: AccuracyResult; coverage: CoverageResult };
}): CameraReport {
  const { cameraId, lines } = input;
  let detections = 0;
  let personDetections = 0;
  let faceCrops = 0;
  for (const line of lines) {
    detections += line.detections.length;
    personDetections += line.detections.filter((d) => d.label === 'person').length;
    faceCrops += line.sentCrops.filter((c) => c.kind === 'face').length;
  }
  const row: CameraReport = {
    cameraId,
    framesDecoded: input.roof.framesDecoded,
    framesForwarded: input.roof.framesForwarded,
    framesProcessed: lines.length,
    roofToFogBytes: cameraWireBytes(input.ledger, 'roofToFog', 'frame.changed', cameraId),
    fogToCloudBytes: cameraWireBytes(input.ledger, 'fogToCloud', 'face.crop', cameraId),
    detections,
    personDetections,
    faceCrops,
    captureToDetectionMs: captureToDetection(lines),
  };
  if (input.evaluation) {
    const { pairs: _pairs, ...accuracy } = input.evaluation.accuracy;
    row.accuracy = accuracy;
    row.coverage = input.evaluation.coverage;
  }
  return row;
}
