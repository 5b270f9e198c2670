import type { OwnerMatch } from '../matching/match-policy';

/** One usable face of a track: how similar it is to each candidate person, and how much it counts. */
export interface FaceEvidence {
  /** Candidate people with this face's similarity to each (best enrolled face), any order. */
  people: readonly Pick<OwnerMatch, 'ownerId' | 'similarity'>[];
  /** Weight in the pool (the face's quality score), > 0. */
  weight: number;
}

export interface PooledPerson {
  personId: string;
  /** Weighted mean of the person's best `topK` face similarities over the track. */
  similarity: number;
  /** Faces that went into it (at most `topK`). */
  faces: number;
}

export interface DecisionThresholds {
  /** Named at or above. */
  upper: number;
  /** Unknown below; undecided in between. */
  lower: number;
}

export type Verdict =
  | { decision: 'named'; personId: string; similarity: number; faces: number }
  | { decision: 'unknown' | 'undecided'; nearest?: PooledPerson };

/**
 * Pools a track's faces per person: the quality-weighted mean of that person's best `topK`
 * similarities among the track's faces. Best person first. One odd frame moves the pool by at
 * most its share of the weight.
 */
export function poolTrack(faces: readonly FaceEvidence[], topK: number): PooledPerson[] {
  const byPerson = new Map<string, { similarity: number; weight: number }[]>();
  for (const face of faces) {
    const weight = Number.isFinite(face.weight) && face.weight > 0 ? face.weight : 0;
    if (weight === 0) continue;
    for (const { ownerId, similarity } of face.people) {
      const list = byPerson.get(ownerId);
      if (list) list.push({ similarity, weight });
      else byPerson.set(ownerId, [{ similarity, weight }]);
    }
  }
  const pooled: PooledPerson[] = [];
  for (const [personId, scores] of byPerson) {
    const best = scores.sort((a, b) => b.similarity - a.similarity).slice(0, Math.max(1, topK));
    const weight = best.reduce((sum, s) => sum + s.weight, 0);
    pooled.push({ personId, similarity: best.reduce((sum, s) => sum + s.similarity * s.weight, 0) / weight, faces: best.length });
  }
  return pooled.sort((a, b) => b.similarity - a.similarity || (a.personId < b.personId ? -1 : 1));
}

/** Two thresholds on the best pooled person: named at or above `upper`, unknown below `lower`, undecided between. */
export function decide(pooled: readonly PooledPerson[], { upper, lower }: DecisionThresholds): Verdict {
  if (lower > upper) throw new Error(`lower threshold ${lower} is above the upper ${upper}`);
  const [best] = pooled;
  if (!best) return { decision: 'unknown' };
  if (best.similarity >= upper) return { decision: 'named', personId: best.personId, similarity: best.similarity, faces: best.faces };
  return { decision: best.similarity < lower ? 'unknown' : 'undecided', nearest: best };
}

/** Whether a face may count as evidence at all (never an intruder from a tiny or poor face). */
export interface QualityGate {
  minFaceSize: number;
  minFaceQuality: number;
}

export interface FaceQualityFacts {
  /** Smaller side of the face box, source pixels. */
  size: number;
  /** Quality score 0..1 (the fog's `quality.score`, or the cloud's own). */
  score: number;
}

export function passesQualityGate(face: FaceQualityFacts, gate: QualityGate): boolean {
  return face.size >= gate.minFaceSize && face.score >= gate.minFaceQuality;
}
