import { BoxLike, iou } from '../geometry/box';

/** A ground-truth box; `ignore` marks boxes (MOTChallenge flag 0) that count neither way. */
export interface TruthBox {
  box: BoxLike;
  ignore: boolean;
}

export interface ScoredBox {
  box: BoxLike;
  score: number;
}

export interface MatchCounts {
  truePositives: number;
  falsePositives: number;
  /** Detections matched to an ignored box: neither hit nor false positive. */
  ignored: number;
  /** Ground-truth boxes that count (not ignored). */
  positives: number;
}

/**
 * Greedy matching of one frame, highest score first: a detection takes the best-overlapping unmatched
 * counted box at IoU >= `threshold` (true positive); else, if it overlaps an ignored box that much, it
 * is ignored; else it is a false positive.
 */
export function matchFrame(detections: readonly ScoredBox[], truth: readonly TruthBox[], threshold = 0.5): MatchCounts {
  const used = new Array<boolean>(truth.length).fill(false);
  const counts: MatchCounts = { truePositives: 0, falsePositives: 0, ignored: 0, positives: truth.filter((t) => !t.ignore).length };
  for (const det of [...detections].sort((a, b) => b.score - a.score)) {
    let best = -1;
    let bestIou = threshold;
    truth.forEach((t, i) => {
      if (t.ignore || used[i]) return;
      const overlap = iou(det.box, t.box);
      if (overlap >= bestIou) {
        bestIou = overlap;
        best = i;
      }
    });
    if (best >= 0) {
      used[best] = true;
      counts.truePositives++;
    } else if (truth.some((t) => t.ignore && iou(det.box, t.box) >= threshold)) {
      counts.ignored++;
    } else {
      counts.falsePositives++;
    }
  }
  return counts;
}

export function addCounts(a: MatchCounts, b: MatchCounts): MatchCounts {
  return {
    truePositives: a.truePositives + b.truePositives,
    falsePositives: a.falsePositives + b.falsePositives,
    ignored: a.ignored + b.ignored,
    positives: a.positives + b.positives,
  };
}

export function precisionRecall(c: MatchCounts): { precision: number; recall: number } {
  const called = c.truePositives + c.falsePositives;
  return { precision: called ? c.truePositives / called : 1, recall: c.positives ? c.truePositives / c.positives : 1 };
}

/** MOTChallenge ground truth `frame,id,x,y,w,h,flag,...` -> boxes per 1-based frame, clipped to the image. */
export function parseMotGroundTruth(text: string, width: number, height: number): Map<number, TruthBox[]> {
  const frames = new Map<number, TruthBox[]>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const [frame, , x, y, w, h, flag] = line.split(',').map(Number);
    const x1 = Math.max(0, x);
    const y1 = Math.max(0, y);
    const box = { x: x1, y: y1, width: Math.min(width, x + w) - x1, height: Math.min(height, y + h) - y1 };
    if (box.width <= 0 || box.height <= 0) continue;
    let list = frames.get(frame);
    if (!list) frames.set(frame, (list = []));
    list.push({ box, ignore: flag === 0 });
  }
  return frames;
}
