import { Candidate } from './decode-outputs';

function cornerIou(a: Candidate, b: Candidate): number {
  const ix = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const iy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy per-class non-maximum suppression: highest score first, a box is dropped when it overlaps
 * an already kept box of the same class by more than `iouThreshold`. Returns at most `maxKeep`
 * boxes, highest score first. Does not modify the input.
 */
export function nmsPerClass<T extends Candidate>(candidates: readonly T[], iouThreshold: number, maxKeep = Infinity): T[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const keptByClass = new Map<number, T[]>();
  const kept: T[] = [];
  for (const candidate of sorted) {
    if (kept.length >= maxKeep) break;
    let sameClass = keptByClass.get(candidate.classId);
    if (sameClass?.some((k) => cornerIou(k, candidate) > iouThreshold)) continue;
    if (!sameClass) keptByClass.set(candidate.classId, (sameClass = []));
    sameClass.push(candidate);
    kept.push(candidate);
  }
  return kept;
}

export { cornerIou };
