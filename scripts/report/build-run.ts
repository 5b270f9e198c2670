import {
  LatencySummary,
  MetricSample,
  Placement,
  Policy,
  RunCounts,
  RunReport,
  cameraReport,
  formulaRates,
  linkBalance,
  measuredParameters,
  mergeLedgers,
  mergeStages,
  metricByLabel,
  metricSum,
  patternTraffic,
  ratesPerVideoSecond,
  stageRows,
} from '@sentinel/report';
import {
  AccuracyResult,
  CoverageResult,
  EvaluatedFrame,
  TruthBox,
  evaluateDetections,
  trackCoverage,
} from '@sentinel/evaluation';
import { Patterns } from '@sentinel/contracts';
import type { DetectionLogSummary } from './detection-log';
import type { PipelineRunResult } from './run-pipeline';
import type { CameraStats } from '@sentinel/frame-change';

/** The roof camera's health probe (GET /stats components): its CameraStats, as far as the report reads them. */
type CameraProbe = Pick<
  CameraStats,
  | 'state' | 'width' | 'height' | 'fps' | 'framesDecoded' | 'framesChanged' | 'framesForwarded' | 'fullFramesForwarded'
  | 'regionFramesForwarded' | 'regionsForwarded' | 'bytesForwarded' | 'rawJpegFrames' | 'rawJpegBytes'
>;

export function cameraProbe(result: PipelineRunResult, cameraId: string): CameraProbe {
  for (const snapshot of Object.values(result.snapshots)) {
    const probe = snapshot.components[`roof.camera.${cameraId}`];
    if (probe) return probe as unknown as CameraProbe;
  }
  throw new Error(`no process reported camera ${cameraId}`);
}

const SUMMED_PROBE_FIELDS = [
  'framesDecoded', 'framesChanged', 'framesForwarded', 'fullFramesForwarded', 'regionFramesForwarded', 'regionsForwarded', 'bytesForwarded', 'rawJpegFrames', 'rawJpegBytes',
] as const;

/** Several cameras' probes as one: counters and bytes added up, size and rate of the first (all read the same source). */
export function combinedProbe(probes: readonly CameraProbe[]): CameraProbe {
  const combined: CameraProbe = { ...probes[0] };
  for (const field of SUMMED_PROBE_FIELDS) combined[field] = probes.reduce((sum, probe) => sum + probe[field], 0);
  return combined;
}

function counts(camera: CameraProbe, metrics: MetricSample[], result: PipelineRunResult): RunCounts {
  const ledger = mergeLedgers(Object.values(result.snapshots).map((s) => s.links));
  const notDelivered = Object.values(ledger).reduce((sum, link) => sum + (link.outcomes.dropped ?? 0) + (link.outcomes.failed ?? 0), 0);
  const received = metricSum(metrics, 'sentinel_notification_alerts_received_total');
  const suppressed = metricSum(metrics, 'sentinel_notification_alerts_suppressed_total');
  const duplicate = metricSum(metrics, 'sentinel_notification_alerts_duplicate_total');
  return {
    frames: camera.framesDecoded,
    changedFrames: camera.framesChanged,
    forwardedMessages: camera.framesForwarded,
    forwardedFullFrames: camera.fullFramesForwarded,
    forwardedRegionSets: camera.regionFramesForwarded,
    forwardedRegions: camera.regionsForwarded,
    fogFrames: metricSum(metrics, 'sentinel_fog_frames_total'),
    fogFramesRebuilt: metricSum(metrics, 'sentinel_fog_frames_total', { detected_on: 'canvas' }),
    fogFramesRegionsAlone: metricSum(metrics, 'sentinel_fog_frames_total', { detected_on: 'regions' }),
    detections: metricSum(metrics, 'sentinel_fog_detections_total'),
    personDetections: metricSum(metrics, 'sentinel_fog_detections_total', { label: 'person' }),
    tracks: metricSum(metrics, 'sentinel_fog_tracks_started_total'),
    personTracks: metricSum(metrics, 'sentinel_fog_tracks_started_total', { label: 'person' }),
    cropsSent: metricSum(metrics, 'sentinel_fog_crops_sent_total'),
    faceCrops: metricSum(metrics, 'sentinel_fog_crops_sent_total', { kind: 'face' }),
    personCrops: metricSum(metrics, 'sentinel_fog_crops_sent_total', { kind: 'person' }),
    cloudCrops: metricSum(metrics, 'sentinel_cloud_crops_total'),
    cloudCropsWithoutFace: metricSum(metrics, 'sentinel_cloud_crops_without_face_total'),
    faceSearches: metricSum(metrics, 'sentinel_fog_face_searches_total'),
    identitiesKnown: metricSum(metrics, 'sentinel_cloud_identities_total', { result: 'known' }),
    identitiesUnknown: metricSum(metrics, 'sentinel_cloud_identities_total', { result: 'unknown' }),
    intruderAlerts: metricSum(metrics, 'sentinel_cloud_intruder_alerts_total'),
    alertsReceived: received,
    alertsNotified: received - suppressed - duplicate,
    alertsSuppressed: suppressed,
    fogDrops: Object.fromEntries(Object.entries(metricByLabel(metrics, 'sentinel_fog_drops_total', 'reason')).filter(([, n]) => n > 0)),
    linkNotDelivered: notDelivered,
  };
}

export interface Evaluation {
  accuracy: AccuracyResult;
  coverage: CoverageResult;
}

/** Accuracy and coverage of one run from its detection log: ground-truth frame n is roof seq n - 1. */
export function evaluateRun(truth: ReadonlyMap<number, readonly TruthBox[]>, log: DetectionLogSummary): Evaluation {
  const frames: EvaluatedFrame[] = [...truth.keys()]
    .sort((a, b) => a - b)
    .map((frame) => {
      const line = log.bySeq.get(frame - 1);
      return {
        frame,
        truth: truth.get(frame)!,
        detections: line?.detections.filter((d) => d.label === 'person').map((d) => ({ box: d.box, score: d.score, trackId: d.trackId })),
      };
    });
  const accuracy = evaluateDetections(frames);
  return { accuracy, coverage: trackCoverage(truth, accuracy.pairs, log.tracksWithCrops) };
}

/** One camera of a run: its detection-log lines and, with ground truth, its accuracy. */
export interface RunCamera {
  id: string;
  log: DetectionLogSummary;
  evaluation?: Evaluation;
}

/**
 * The run's report. With several cameras the run-wide counts and bytes add all cameras up, the
 * video and the run-wide accuracy are the first camera's, and `perCamera` has one row each.
 */
export function buildRun(options: {
  placement: Placement;
  policy: Policy;
  paced: boolean;
  cameras: readonly RunCamera[];
  result: PipelineRunResult;
}): RunReport {
  const { result } = options;
  const probes = options.cameras.map((c) => cameraProbe(result, c.id));
  const first = probes[0];
  const camera = combinedProbe(probes);
  const evaluation = options.cameras[0].evaluation;
  const metrics = Object.values(result.snapshots).flatMap((s) => s.metrics);
  const ledger = mergeLedgers(Object.values(result.snapshots).map((s) => s.links));
  const c = counts(camera, metrics, result);
  const seconds = first.fps > 0 ? first.framesDecoded / first.fps : Number.NaN;
  const roofToFog = patternTraffic(ledger, 'roofToFog', Patterns.FrameChanged);
  const fogToCloud = patternTraffic(ledger, 'fogToCloud', Patterns.FaceCrop);
  const totals = { raw: camera.rawJpegBytes, roofToFog: roofToFog.bytes, fogToCloud: fogToCloud.bytes };
  const parameters = measuredParameters({
    frames: camera.framesDecoded,
    videoSeconds: seconds,
    forwardedMessages: roofToFog.messages,
    rawJpegBytes: camera.rawJpegBytes,
    rawJpegFrames: camera.rawJpegFrames,
    cropMessages: fogToCloud.messages,
    cropWireBytes: fogToCloud.bytes,
    personDetections: c.personDetections,
    processedFrames: c.fogFrames,
  });
  const stagesByProcess: Record<string, Record<string, LatencySummary>> = Object.fromEntries(Object.entries(result.snapshots).map(([name, s]) => [name, s.stages]));
  const { pairs: _pairs, ...accuracy } = evaluation?.accuracy ?? ({ pairs: [] } as unknown as AccuracyResult);
  return {
    placement: options.placement,
    policy: options.policy,
    wallSeconds: result.wallSeconds,
    paced: options.paced,
    video: { width: first.width, height: first.height, fps: first.fps, frames: first.framesDecoded, seconds },
    counts: c,
    bandwidth: {
      totals,
      payload: { raw: camera.rawJpegBytes, roofToFog: camera.bytesForwarded, fogToCloud: metricSum(metrics, 'sentinel_fog_crop_bytes_total') },
      perSecond: ratesPerVideoSecond(totals, seconds),
      ackBytes: { roofToFog: patternTraffic(ledger, 'roofToFog', 'ack').bytes, fogToCloud: patternTraffic(ledger, 'fogToCloud', 'ack').bytes },
      parameters,
      formula: formulaRates(parameters),
    },
    links: ledger,
    balance: linkBalance(ledger),
    stages: stageRows(mergeStages(stagesByProcess)),
    ...(evaluation ? { accuracy, coverage: evaluation.coverage } : {}),
    detectionLogLines: options.cameras.reduce((sum, c) => sum + c.log.lines, 0),
    perCamera: options.cameras.map((c, i) =>
      cameraReport({ cameraId: c.id, roof: probes[i], ledger, lines: [...c.log.bySeq.values()], evaluation: c.evaluation }),
    ),
  };
}
