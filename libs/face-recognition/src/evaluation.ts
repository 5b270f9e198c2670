import { cosineSimilarity } from './matching/vectors';

export interface LabelledEmbedding {
  label: string;
  file: string;
  embedding: Float32Array;
}

export interface PairRates {
  threshold: number;
  /** Different-person pairs at or above the threshold / all different-person pairs. */
  falseAcceptRate: number;
  /** Same-person pairs below the threshold / all same-person pairs. */
  falseRejectRate: number;
}

export interface EvaluationReport {
  images: number;
  people: number;
  /** Leave-one-out rank-1 identification: each image against all others (best image per person). */
  rank1: { correct: number; total: number; accuracy: number; misses: { file: string; expected: string; got: string; similarity: number }[] };
  samePairs: number[];
  differentPairs: number[];
}

/** Cosine similarity matrix of all embeddings (symmetric, diagonal 1). */
export function similarityMatrix(items: readonly LabelledEmbedding[]): Float64Array {
  const n = items.length;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) m[i * n + j] = m[j * n + i] = cosineSimilarity(items[i].embedding, items[j].embedding);
  }
  return m;
}

/** Leave-one-out rank-1 accuracy and the same/different pair similarities. */
export function evaluate(items: readonly LabelledEmbedding[]): EvaluationReport {
  const n = items.length;
  const m = similarityMatrix(items);
  const misses: EvaluationReport['rank1']['misses'] = [];
  let correct = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    // Only queries whose person has at least one other image can be identified.
    if (!items.some((other, j) => j !== i && other.label === items[i].label)) continue;
    total++;
    let best = -Infinity;
    let bestLabel = '';
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if (m[i * n + j] > best) {
        best = m[i * n + j];
        bestLabel = items[j].label;
      }
    }
    if (bestLabel === items[i].label) correct++;
    else misses.push({ file: items[i].file, expected: items[i].label, got: bestLabel, similarity: best });
  }
  const samePairs: number[] = [];
  const differentPairs: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) (items[i].label === items[j].label ? samePairs : differentPairs).push(m[i * n + j]);
  }
  samePairs.sort((a, b) => a - b);
  differentPairs.sort((a, b) => a - b);
  return {
    images: n,
    people: new Set(items.map((item) => item.label)).size,
    rank1: { correct, total, accuracy: total ? correct / total : 0, misses },
    samePairs,
    differentPairs,
  };
}

export function pairRates(report: Pick<EvaluationReport, 'samePairs' | 'differentPairs'>, threshold: number): PairRates {
  const accepted = report.differentPairs.filter((s) => s >= threshold).length;
  const rejected = report.samePairs.filter((s) => s < threshold).length;
  return {
    threshold,
    falseAcceptRate: report.differentPairs.length ? accepted / report.differentPairs.length : 0,
    falseRejectRate: report.samePairs.length ? rejected / report.samePairs.length : 0,
  };
}

/** The lowest threshold (on a 0.005 grid) whose false-accept rate is at most `maxFalseAccept`. */
export function thresholdForFalseAccept(report: Pick<EvaluationReport, 'samePairs' | 'differentPairs'>, maxFalseAccept: number): number {
  for (let t = -1; t <= 1.0001; t += 0.005) {
    const threshold = Math.round(t * 1000) / 1000;
    if (pairRates(report, threshold).falseAcceptRate <= maxFalseAccept) return threshold;
  }
  return 1;
}

/**
 * Open-set check, what intruder detection depends on: each person in turn is left out of the
 * gallery (a stranger); the share of their images that would be accepted as somebody at `threshold`.
 */
export function strangerAcceptRate(items: readonly LabelledEmbedding[], threshold: number): number {
  const m = similarityMatrix(items);
  const n = items.length;
  let accepted = 0;
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let j = 0; j < n; j++) if (items[j].label !== items[i].label) best = Math.max(best, m[i * n + j]);
    if (best >= threshold) accepted++;
  }
  return n ? accepted / n : 0;
}
