import type { AccuracyResult, CoverageResult } from '@sentinel/evaluation';
import type { BandwidthRates, FormulaParameters } from './formula';
import type { BalanceRow, LedgerSnapshot } from './links';
import type { StageRow } from './latency';
import type { CameraReport } from './per-camera';
import type { SourceStream } from './source-stream';

export const Placements = ['all', 'split-tcp', 'split-redis'] as const;
export type Placement = (typeof Placements)[number];
/** roof.policy values a report can run; `video` is the H.264 stream of issue 17. */
export const Policies = ['frame', 'regions', 'video'] as const;
export type Policy = (typeof Policies)[number];

export interface RunCounts {
  frames: number;
  changedFrames: number;
  /** Frame messages delivered to the fog (whole frames + region sets). */
  forwardedMessages: number;
  forwardedFullFrames: number;
  forwardedRegionSets: number;
  forwardedRegions: number;
  fogFrames: number;
  /** Of those, region sets pasted into the fog's copy of the frame and detected on as a whole (absent in older reports). */
  fogFramesRebuilt?: number;
  /** Of those, region sets detected on region by region (fog out of step, or `fog.regionDetection: each`). */
  fogFramesRegionsAlone?: number;
  detections: number;
  personDetections: number;
  tracks: number;
  personTracks: number;
  cropsSent: number;
  faceCrops: number;
  personCrops: number;
  cloudCrops: number;
  /** Crops in which the cloud found no face to embed (no identity, no alert). */
  cloudCropsWithoutFace: number;
  faceSearches: number;
  identitiesKnown: number;
  identitiesUnknown: number;
  intruderAlerts: number;
  alertsReceived: number;
  alertsNotified: number;
  alertsSuppressed: number;
  fogDrops: Record<string, number>;
  /** Emits that were not delivered (dropped or failed), all links. */
  linkNotDelivered: number;
}

export interface RunBandwidth {
  /** Bytes over the whole run: raw = every frame as JPEG, roofToFog = frame.changed wire bytes, fogToCloud = face.crop wire bytes. */
  totals: BandwidthRates;
  /** JPEG bytes only (no message envelope): every frame, the forwarded frames/regions, the crops. */
  payload: BandwidthRates;
  /** The same per second of video. */
  perSecond: BandwidthRates;
  /** Acknowledgement bytes travelling back on each link (not part of the rows above). */
  ackBytes: Record<string, number>;
  /** x, y, F, C, n measured in this run, and the formula evaluated with them. */
  parameters: FormulaParameters;
  formula: BandwidthRates;
}

/** Who a run saw (the cloud's sightings), with `npm run report -- --gallery DIR`. */
export interface RunIdentities {
  /** Enrolled people named, with how many decisions named them. */
  known: { name: string; sightings: number }[];
  /** Distinct unknown identities (strangers). */
  unknown: number;
  /** Decisions left between the thresholds. */
  undecided: number;
  intruderAlerts: number;
  faceCropsSent: number;
}

export interface RunReport {
  placement: Placement;
  policy: Policy;
  /** Wall-clock seconds from start of the first frame to the last acknowledgement (not paced: as fast as it goes). */
  wallSeconds: number;
  paced: boolean;
  video: { width: number; height: number; fps: number; frames: number; seconds: number };
  counts: RunCounts;
  bandwidth: RunBandwidth;
  links: LedgerSnapshot;
  balance: BalanceRow[];
  stages: StageRow[];
  accuracy?: Omit<AccuracyResult, 'pairs'>;
  coverage?: CoverageResult;
  detectionLogLines: number;
  identities?: RunIdentities;
  /** One row per camera (`--cameras N`; absent in older reports). */
  perCamera?: CameraReport[];
}

export interface ReportCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ReportTarget {
  run: string;
  name: string;
  target: string;
  value: string;
  met: boolean | null;
}

export interface Report {
  generatedAt: string;
  command: string;
  source: string;
  model: { path?: string; family?: string; description: string };
  roof: { jpegQuality: number };
  /** The source file forwarded as it is (the camera's own stream), for the same seconds of video (absent in older reports). */
  sourceStream?: SourceStream;
  groundTruth?: { path: string; frames: number; boxes: number; identities: number };
  paper: { parameters: FormulaParameters; rates: BandwidthRates };
  /** The same detector on every ground-truth frame, no gating (JPEG at the roof's quality). */
  baseline?: Omit<AccuracyResult, 'pairs'>;
  runs: RunReport[];
  checks: ReportCheck[];
  targets: ReportTarget[];
}

export const runName = (run: Pick<RunReport, 'placement' | 'policy'>): string => `${run.policy} / ${run.placement}`;
