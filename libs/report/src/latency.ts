import type { LatencySummary } from '@sentinel/telemetry';

export type { LatencySummary };

/** Pipeline stages in the order a frame meets them, with what each one measures. */
export const STAGES: readonly { stage: string; tier: string; meaning: string }[] = [
  { stage: 'decode', tier: 'roof', meaning: 'video decode (ffmpeg, one frame through the pipe)' },
  { stage: 'change-detection', tier: 'roof', meaning: 'grey, downscale, diff, blobs' },
  { stage: 'encode', tier: 'roof', meaning: 'JPEG of the frame or regions' },
  { stage: 'link.roofToFog', tier: 'link', meaning: 'emit at the roof to handler start at the fog' },
  { stage: 'jpeg-decode', tier: 'fog', meaning: 'JPEG to pixels' },
  { stage: 'preprocess', tier: 'fog', meaning: 'letterbox + input tensor' },
  { stage: 'inference', tier: 'fog', meaning: 'YOLO session.run' },
  { stage: 'postprocess', tier: 'fog', meaning: 'decode outputs, NMS' },
  { stage: 'tracking', tier: 'fog', meaning: 'IoU tracker, dwell watch' },
  { stage: 'face-crop', tier: 'fog', meaning: 'face search (Human) + crop encode' },
  { stage: 'link.fogToCloud', tier: 'link', meaning: 'emit at the fog to handler start at the cloud' },
  { stage: 'embedding', tier: 'cloud', meaning: 'face detect + embed (Human)' },
  { stage: 'matching', tier: 'cloud', meaning: 'gallery search' },
  { stage: 'capture-to-cloud', tier: 'all', meaning: 'frame capture (roof) to the cloud\'s decision on its crop' },
  { stage: 'link.notification', tier: 'link', meaning: 'emit to handler start at notification' },
  { stage: 'notification.accept', tier: 'cloud', meaning: 'cooldown, store, outbox' },
  { stage: 'end-to-end', tier: 'all', meaning: 'frame capture (roof) to alert accepted (notification)' },
];

export interface StageRow extends LatencySummary {
  stage: string;
  tier: string;
  meaning: string;
}

/** Stage rows in pipeline order (known stages first, then any other stage by name). */
export function stageRows(summaries: Readonly<Record<string, LatencySummary>>): StageRow[] {
  const known = new Set(STAGES.map((s) => s.stage));
  const rows: StageRow[] = [];
  for (const s of STAGES) if (summaries[s.stage]) rows.push({ ...s, ...summaries[s.stage] });
  for (const stage of Object.keys(summaries).sort()) if (!known.has(stage)) rows.push({ stage, tier: '', meaning: '', ...summaries[stage] });
  return rows;
}

/**
 * Stage summaries of several processes in one map. A stage recorded by more than one process keeps
 * each, suffixed with its process (`stage@fog`): percentiles cannot be merged.
 */
export function mergeStages(byProcess: Readonly<Record<string, Readonly<Record<string, LatencySummary>>>>): Record<string, LatencySummary> {
  const owners = new Map<string, string[]>();
  for (const [process, stages] of Object.entries(byProcess)) for (const stage of Object.keys(stages)) owners.set(stage, [...(owners.get(stage) ?? []), process]);
  const out: Record<string, LatencySummary> = {};
  for (const [process, stages] of Object.entries(byProcess)) {
    for (const [stage, summary] of Object.entries(stages)) out[owners.get(stage)!.length > 1 ? `${stage}@${process}` : stage] = summary;
  }
  return out;
}
