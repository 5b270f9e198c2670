import { Centering, galleryCenter, projectEmbedding } from './matching/centering';
import { SimilaritySpace } from './matching/similarity-space';
import { dot } from './matching/vectors';

/** One embedded image of a `<person>/<images>` folder. */
export interface LabelledEmbedding {
  label: string;
  file: string;
  embedding: Float32Array;
}

/** How a probe was scored against a gallery: its best person and that similarity. */
export interface ProbeCase {
  file: string;
  label: string;
  /** Whether the probe's person is in the gallery it was matched against (else it is a stranger). */
  enrolled: boolean;
  top: string;
  similarity: number;
}

export interface Thresholds {
  /** Named at or above. */
  upper: number;
  /** Unknown below; undecided in between. */
  lower: number;
}

/** The figures `npm run eval:faces` reports (`--json`: `counts`). */
export interface OpenSetCounts {
  knownProbes: number;
  /** Known probes whose best person is their own (whatever the thresholds). */
  rank1Correct: number;
  /** Known probes named as somebody else (best person wrong, similarity >= upper). */
  wrongPersonAccepts: number;
  strangerProbes: number;
  /** Strangers named as somebody (similarity >= upper). */
  strangerAccepts: number;
  /** Known probes decided unknown (similarity < lower). */
  falseRejects: number;
  /** Probes (known or stranger) between the thresholds. */
  undecided: number;
}

/** Best similarity per gallery person for one probe, the way the cloud's matcher scores it (`best` aggregate). */
function bestPerPerson(probe: Float32Array, gallery: readonly { label: string; vector: Float32Array }[]): { top: string; similarity: number } {
  let top = '';
  let similarity = -Infinity;
  for (const item of gallery) {
    const score = dot(probe, item.vector);
    if (score > similarity) {
      similarity = score;
      top = item.label;
    }
  }
  return { top, similarity };
}

/** The gallery's mean face (per-person mean, then mean over people), from gallery images only. */
function centerOf(gallery: readonly LabelledEmbedding[], centering: Centering): Float32Array | undefined {
  if (centering === 'none') return undefined;
  const byPerson = new Map<string, Float32Array[]>();
  for (const item of gallery) byPerson.set(item.label, [...(byPerson.get(item.label) ?? []), item.embedding]);
  return galleryCenter(byPerson.values());
}

/** The similarity space scoring against this gallery uses (`raw` without a mean face), hence its thresholds. */
export function similaritySpaceOf(gallery: readonly LabelledEmbedding[], centering: Centering): SimilaritySpace {
  return centerOf(gallery, centering) ? 'centered' : 'raw';
}

/**
 * Scores every probe against the gallery. Centering uses the gallery's images only, never the
 * probes'. A probe whose person is not in the gallery is a stranger.
 */
export function scoreProbes(gallery: readonly LabelledEmbedding[], probes: readonly LabelledEmbedding[], centering: Centering): ProbeCase[] {
  if (gallery.length === 0) return [];
  const center = centerOf(gallery, centering);
  const projected = gallery.map((item) => ({ label: item.label, vector: projectEmbedding(item.embedding, center) }));
  const people = new Set(gallery.map((item) => item.label));
  return probes.map((probe) => ({
    file: probe.file,
    label: probe.label,
    enrolled: people.has(probe.label),
    ...bestPerPerson(projectEmbedding(probe.embedding, center), projected),
  }));
}

/** Leave-one-out: each image against all the others (only images whose person has another image). */
export function leaveOneOut(items: readonly LabelledEmbedding[], centering: Centering): ProbeCase[] {
  const cases: ProbeCase[] = [];
  items.forEach((probe, i) => {
    const gallery = items.filter((_, j) => j !== i);
    if (!gallery.some((item) => item.label === probe.label)) return;
    cases.push(...scoreProbes(gallery, [probe], centering));
  });
  return cases;
}

/**
 * Leave-one-person-out: each person in turn is a stranger to a gallery of everybody else; in the same
 * fold every other image is a known probe against that gallery without itself.
 */
export function leaveOnePersonOut(items: readonly LabelledEmbedding[], centering: Centering): ProbeCase[] {
  const cases: ProbeCase[] = [];
  for (const person of [...new Set(items.map((item) => item.label))].sort()) {
    const others = items.filter((item) => item.label !== person);
    cases.push(...scoreProbes(others, items.filter((item) => item.label === person), centering));
    others.forEach((probe, i) => {
      const gallery = others.filter((_, j) => j !== i);
      if (gallery.some((item) => item.label === probe.label)) cases.push(...scoreProbes(gallery, [probe], centering));
    });
  }
  return cases;
}

export function countOutcomes(cases: readonly ProbeCase[], { upper, lower }: Thresholds): OpenSetCounts {
  const counts: OpenSetCounts = { knownProbes: 0, rank1Correct: 0, wrongPersonAccepts: 0, strangerProbes: 0, strangerAccepts: 0, falseRejects: 0, undecided: 0 };
  for (const c of cases) {
    const between = c.similarity >= lower && c.similarity < upper;
    if (between) counts.undecided++;
    if (c.enrolled) {
      counts.knownProbes++;
      if (c.top === c.label) counts.rank1Correct++;
      else if (c.similarity >= upper) counts.wrongPersonAccepts++;
      if (c.similarity < lower) counts.falseRejects++;
    } else {
      counts.strangerProbes++;
      if (c.similarity >= upper) counts.strangerAccepts++;
    }
  }
  return counts;
}

export interface SweepRow {
  threshold: number;
  /** Single threshold (upper = lower): shares of known probes / strangers. */
  wrongPersonAcceptRate: number;
  strangerAcceptRate: number;
  falseRejectRate: number;
}

/** Rates at single thresholds from `from` to `to` (inclusive) in `step`. */
export function sweep(cases: readonly ProbeCase[], from: number, to: number, step: number): SweepRow[] {
  const rows: SweepRow[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++) {
    const threshold = Math.round((from + i * step) * 1000) / 1000;
    const c = countOutcomes(cases, { upper: threshold, lower: threshold });
    rows.push({
      threshold,
      wrongPersonAcceptRate: c.knownProbes ? c.wrongPersonAccepts / c.knownProbes : 0,
      strangerAcceptRate: c.strangerProbes ? c.strangerAccepts / c.strangerProbes : 0,
      falseRejectRate: c.knownProbes ? c.falseRejects / c.knownProbes : 0,
    });
  }
  return rows;
}

/** Margin the threshold rule keeps from the extreme scores it saw. */
export const THRESHOLD_MARGIN = 0.02;

/**
 * The rule the default thresholds come from, applied to leave-one-person-out cases:
 * upper = the highest stranger similarity + margin (no stranger seen would be named), rounded up to
 * 0.01; lower = the lowest similarity of a correctly ranked known probe − margin (no enrolled face
 * seen would be called unknown), rounded down to 0.01, never above upper. Undefined without both
 * strangers and correctly ranked known probes.
 */
export function thresholdsByRule(cases: readonly ProbeCase[], margin = THRESHOLD_MARGIN): Thresholds | undefined {
  const strangers = cases.filter((c) => !c.enrolled).map((c) => c.similarity);
  const genuine = cases.filter((c) => c.enrolled && c.top === c.label).map((c) => c.similarity);
  if (strangers.length === 0 || genuine.length === 0) return undefined;
  const upper = Math.ceil((Math.max(...strangers) + margin) * 100 - 1e-9) / 100;
  const lower = Math.min(upper, Math.floor((Math.min(...genuine) - margin) * 100 + 1e-9) / 100);
  return { upper, lower };
}
