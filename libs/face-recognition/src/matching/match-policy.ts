export type Aggregate = 'best' | 'topk-mean';

export interface OwnedScore {
  /** Who the vector belongs to (person id or unknown id). */
  ownerId: string;
  score: number;
}

export interface OwnerMatch {
  ownerId: string;
  /** The owner's similarity: its best score, or the mean of its best `topK` scores. */
  similarity: number;
  /** Best single score of the owner (for reporting). */
  best: number;
}

/**
 * Ranks owners by their candidates' scores: `best` takes each owner's best score; `topk-mean` the mean
 * of its best `topK` scores (an owner with fewer vectors averages what it has). Best owner first.
 */
export function rankOwners(candidates: readonly OwnedScore[], aggregate: Aggregate, topK = 3): OwnerMatch[] {
  const byOwner = new Map<string, number[]>();
  for (const { ownerId, score } of candidates) {
    const list = byOwner.get(ownerId);
    if (list) list.push(score);
    else byOwner.set(ownerId, [score]);
  }
  const ranked: OwnerMatch[] = [];
  for (const [ownerId, scores] of byOwner) {
    scores.sort((a, b) => b - a);
    const used = aggregate === 'best' ? scores.slice(0, 1) : scores.slice(0, Math.max(1, topK));
    ranked.push({ ownerId, similarity: used.reduce((a, b) => a + b, 0) / used.length, best: scores[0] });
  }
  ranked.sort((a, b) => b.similarity - a.similarity || (a.ownerId < b.ownerId ? -1 : 1));
  return ranked;
}

export type Decision =
  | { kind: 'known'; personId: string; similarity: number }
  | { kind: 'unknown-seen'; unknownId: string; similarity: number; bestKnown?: OwnerMatch }
  | { kind: 'unknown-new'; bestKnown?: OwnerMatch; bestUnknown?: OwnerMatch };

/**
 * The identity of a face: the best known person at or above `threshold`; else the best stored unknown
 * at or above `threshold` (a repeated stranger keeps one id); else a new unknown.
 */
export function decideIdentity(known: readonly OwnerMatch[], unknown: readonly OwnerMatch[], threshold: number): Decision {
  const bestKnown = known[0];
  if (bestKnown && bestKnown.similarity >= threshold) return { kind: 'known', personId: bestKnown.ownerId, similarity: bestKnown.similarity };
  const bestUnknown = unknown[0];
  if (bestUnknown && bestUnknown.similarity >= threshold) {
    return { kind: 'unknown-seen', unknownId: bestUnknown.ownerId, similarity: bestUnknown.similarity, bestKnown };
  }
  return { kind: 'unknown-new', bestKnown, bestUnknown };
}
