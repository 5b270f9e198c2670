import { Box, iou } from '@sentinel/contracts';
import { TruthBox } from './ground-truth';

export interface ScoredDetection {
  box: Box;
  score: number;
  trackId?: number;
}

export type DetectionOutcome = 'tp' | 'fp' | 'ignored';

export interface FrameMatch {
  /** Outcome of each detection, in the order given. */
  outcomes: DetectionOutcome[];
  /** Ground-truth id matched by each true positive, with that detection's track. */
  pairs: { truthId: number; trackId?: number; score: number }[];
  /** Ground-truth boxes that count (not ignored). */
  positives: number;
}

/**
 * Greedy matching of one frame, highest score first: a detection takes the best-overlapping unmatched
 * counted box at IoU >= `threshold` (true positive); else, when it overlaps an ignored box that much,
 * it is ignored; else it is a false positive.
 */
export function matchFrame(detections: readonly ScoredDetection[], truth: readonly TruthBox[], threshold = 0.5): FrameMatch {
  const used = new Array<boolean>(truth.length).fill(false);
  const outcomes = new Array<DetectionOutcome>(detections.length);
  const pairs: FrameMatch['pairs'] = [];
  const order = detections.map((_, i) => i).sort((a, b) => detections[b].score - detections[a].score || a - b);
  for (const i of order) {
    const det = detections[i];
    let best = -1;
    let bestIou = threshold;
    truth.forEach((t, j) => {
      if (t.ignore || used[j]) return;
      const overlap = iou(det.box, t.box);
      if (overlap >= bestIou) {
        bestIou = overlap;
        best = j;
      }
    });
    if (best >= 0) {
      used[best] = true;
      outcomes[i] = 'tp';
      pairs.push({ truthId: truth[best].id, trackId: det.trackId, score: det.score });
    } else {
      outcomes[i] = truth.some((t) => t.ignore && iou(det.box, t.box) >= threshold) ? 'ignored' : 'fp';
    }
  }
  return { outcomes, pairs, positives: truth.filter((t) => !t.ignore).length };
}

export interface MatchCounts {
  truePositives: number;
  falsePositives: number;
  /** Detections matched to an ignored box: neither hit nor false positive. */
  ignored: number;
  /** Ground-truth boxes that count (not ignored). */
  positives: number;
}

export const NO_MATCHES: Readonly<MatchCounts> = { truePositives: 0, falsePositives: 0, ignored: 0, positives: 0 };

/** The outcomes of one frame's matching as counts. */
export function countMatches(match: FrameMatch): MatchCounts {
  const count = (outcome: DetectionOutcome) => match.outcomes.filter((o) => o === outcome).length;
  return { truePositives: count('tp'), falsePositives: count('fp'), ignored: count('ignored'), positives: match.positives };
}

export function addCounts(a: MatchCounts, b: MatchCounts): MatchCounts {
  return {
    truePositives: a.truePositives + b.truePositives,
    falsePositives: a.falsePositives + b.falsePositives,
    ignored: a.ignored + b.ignored,
    positives: a.positives + b.positives,
  };
}

/** Precision and recall of summed counts; 1 when nothing was called / nothing was there. */
export function precisionRecall(c: MatchCounts): { precision: number; recall: number } {
  const called = c.truePositives + c.falsePositives;
  return { precision: called ? c.truePositives / called : 1, recall: c.positives ? c.truePositives / c.positives : 1 };
}

/**
 * Average precision, all-point interpolation (PASCAL VOC 2010+): detections sorted by score, the
 * precision envelope (max precision at any higher recall) integrated over recall. NaN without positives.
 */
export function averagePrecision(scored: readonly { score: number; truePositive: boolean }[], positives: number): number {
  if (positives <= 0) return Number.NaN;
  const sorted = [...scored].sort((a, b) => b.score - a.score);
  const recall: number[] = [0];
  const precision: number[] = [1];
  let tp = 0;
  sorted.forEach((d, i) => {
    if (d.truePositive) tp++;
    recall.push(tp / positives);
    precision.push(tp / (i + 1));
  });
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i], precision[i + 1]);
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i] - recall[i - 1]) * precision[i];
  return ap;
}

/** One ground-truth frame and what the system detected on it; `detections` undefined: the frame never reached the detector. */
export interface EvaluatedFrame {
  frame: number;
  truth: readonly TruthBox[];
  detections: readonly ScoredDetection[] | undefined;
}

export interface AccuracyResult {
  frames: number;
  /** Ground-truth frames that reached the detector (the rest count their people as missed). */
  framesDetected: number;
  positives: number;
  /** People on frames that never reached the detector. */
  missedUnforwarded: number;
  truePositives: number;
  falsePositives: number;
  ignored: number;
  precision: number;
  recall: number;
  ap50: number;
  /** Every true positive: which ground-truth id, which track, on which frame. */
  pairs: { frame: number; truthId: number; trackId?: number }[];
}

/** Person precision, recall and AP over ground-truth frames at match IoU `threshold` (0.5: AP50). */
export function evaluateDetections(frames: readonly EvaluatedFrame[], threshold = 0.5): AccuracyResult {
  const scored: { score: number; truePositive: boolean }[] = [];
  const pairs: AccuracyResult['pairs'] = [];
  let positives = 0;
  let missedUnforwarded = 0;
  let ignored = 0;
  let framesDetected = 0;
  for (const f of frames) {
    const counted = f.truth.filter((t) => !t.ignore).length;
    positives += counted;
    if (!f.detections) {
      missedUnforwarded += counted;
      continue;
    }
    framesDetected++;
    const match = matchFrame(f.detections, f.truth, threshold);
    match.outcomes.forEach((outcome, i) => {
      if (outcome === 'ignored') ignored++;
      else scored.push({ score: f.detections![i].score, truePositive: outcome === 'tp' });
    });
    for (const p of match.pairs) pairs.push({ frame: f.frame, truthId: p.truthId, trackId: p.trackId });
  }
  const truePositives = scored.filter((s) => s.truePositive).length;
  const falsePositives = scored.length - truePositives;
  return {
    frames: frames.length,
    framesDetected,
    positives,
    missedUnforwarded,
    truePositives,
    falsePositives,
    ignored,
    precision: scored.length ? truePositives / scored.length : Number.NaN,
    recall: positives ? truePositives / positives : Number.NaN,
    ap50: averagePrecision(scored, positives),
    pairs,
  };
}

export interface CoverageResult {
  /** Ground-truth identities with at least one counted (not ignored) box. */
  identities: number;
  covered: number;
  coverage: number;
  uncoveredIds: number[];
}

/**
 * Track coverage: a ground-truth identity is covered when a track matched to it (a true-positive pair
 * on some ground-truth frame) had at least one crop delivered to the cloud.
 */
export function trackCoverage(
  truth: ReadonlyMap<number, readonly TruthBox[]>,
  pairs: readonly { truthId: number; trackId?: number }[],
  tracksWithCrops: ReadonlySet<number>,
): CoverageResult {
  const ids = new Set<number>();
  for (const boxes of truth.values()) for (const t of boxes) if (!t.ignore) ids.add(t.id);
  const covered = new Set<number>();
  for (const p of pairs) if (p.trackId !== undefined && tracksWithCrops.has(p.trackId) && ids.has(p.truthId)) covered.add(p.truthId);
  const uncoveredIds = [...ids].filter((id) => !covered.has(id)).sort((a, b) => a - b);
  return { identities: ids.size, covered: covered.size, coverage: ids.size ? covered.size / ids.size : Number.NaN, uncoveredIds };
}
