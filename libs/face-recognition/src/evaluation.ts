import { PooledPerson, poolTrack } from './decision/open-set';
import { TrackBook, TrackStep } from './decision/track-book';
import { TrackEndRule } from './decision/track-end';
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

// ---------------------------------------------------------------------------------------------
// Track-level simulation: several images of one person shown as one track, decided by the
// product's own TrackBook (pooling, two thresholds, and the track-end rule when the track ends).

/** Best similarity to each gallery person for one face (the matcher's `best` aggregate), best first. */
export interface PersonScore {
  label: string;
  similarity: number;
}

/** A simulated track: images of one person in file order, each scored against the fold's gallery. */
export interface TrackCase {
  label: string;
  files: string[];
  /** Whether the person is in the gallery (else the track is a stranger's). */
  enrolled: boolean;
  faces: PersonScore[][];
}

export type TrackOutcome =
  | { outcome: 'named'; person: string }
  /** Pooled below the lower threshold while the track was running. */
  | { outcome: 'alerted' }
  /** Undecided until the track ended; the track-end rule made it a stranger. */
  | { outcome: 'alerted-at-end' }
  /** Still undecided after the end (or with no end rule). */
  | { outcome: 'undecided' };

/** Track figures `eval:faces` reports (`--json`: `tracks.before` / `tracks.after`). */
export interface TrackCounts {
  knownTracks: number;
  knownNamedCorrectly: number;
  knownNamedWrong: number;
  /** Enrolled people raised as intruders (during the track or at its end). */
  knownAlerted: number;
  knownAlertedAtEnd: number;
  knownUndecided: number;
  strangerTracks: number;
  /** Strangers named as somebody. */
  strangerAccepts: number;
  /** Strangers raised as intruders (during the track or at its end). */
  strangerAlerted: number;
  strangerAlertedAtEnd: number;
  strangerUndecided: number;
}

/** The longest simulated track (faces); the fog sends at most `fog.crops.maxPerTrack` (3) crops per track. */
export const MAX_TRACK_FACES = 3;

/**
 * Images of a known person left enrolled when the others form a track: 2, the regime the thresholds
 * were chosen in (galleries of 2 images for the probe's own person). With 1 the gallery holds a single
 * image of the person: reported as a stress case, never used to fit.
 */
export const MIN_ENROLLED_IMAGES = 2;

/** Every non-empty subset (file order kept) of up to `max` of the items. */
function subsets<T>(items: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  const walk = (start: number, chosen: T[]) => {
    if (chosen.length > 0) out.push([...chosen]);
    if (chosen.length === max) return;
    for (let i = start; i < items.length; i++) walk(i + 1, [...chosen, items[i]]);
  };
  walk(0, []);
  return out;
}

/** Scores a track's faces against a gallery (centering from the gallery's images only). */
export function scoreTrack(gallery: readonly LabelledEmbedding[], faces: readonly LabelledEmbedding[], centering: Centering): TrackCase {
  const center = centerOf(gallery, centering);
  const projected = gallery.map((item) => ({ label: item.label, vector: projectEmbedding(item.embedding, center) }));
  const people = new Set(gallery.map((item) => item.label));
  return {
    label: faces[0].label,
    files: faces.map((f) => f.file),
    enrolled: people.has(faces[0].label),
    faces: faces.map((f) => {
      const q = projectEmbedding(f.embedding, center);
      const best = new Map<string, number>();
      for (const item of projected) {
        const s = dot(q, item.vector);
        if (!best.has(item.label) || s > best.get(item.label)!) best.set(item.label, s);
      }
      return [...best].map(([label, similarity]) => ({ label, similarity })).sort((a, b) => b.similarity - a.similarity);
    }),
  };
}

/**
 * Stranger tracks of `person` against a gallery of everybody else: every subset of up to
 * MAX_TRACK_FACES of their images.
 */
export function strangerTracks(items: readonly LabelledEmbedding[], person: string, centering: Centering): TrackCase[] {
  const gallery = items.filter((item) => item.label !== person);
  return subsets(items.filter((item) => item.label === person), MAX_TRACK_FACES).map((faces) => scoreTrack(gallery, faces, centering));
}

/**
 * Known tracks of `person`: every subset of up to MAX_TRACK_FACES of their images that leaves at
 * least `minEnrolled` enrolled, against a gallery of everything but the track's images.
 */
export function knownTracks(items: readonly LabelledEmbedding[], person: string, centering: Centering, minEnrolled = MIN_ENROLLED_IMAGES): TrackCase[] {
  const own = items.filter((item) => item.label === person);
  return subsets(own, Math.min(MAX_TRACK_FACES, own.length - minEnrolled)).map((faces) =>
    scoreTrack(items.filter((item) => !faces.includes(item)), faces, centering),
  );
}

/** Leave-one-person-out tracks: in each fold one person's stranger tracks and every other person's known tracks. */
export function leaveOnePersonOutTracks(items: readonly LabelledEmbedding[], centering: Centering, minEnrolled = MIN_ENROLLED_IMAGES): TrackCase[] {
  const people = [...new Set(items.map((item) => item.label))].sort();
  const cases: TrackCase[] = [];
  for (const person of people) {
    const others = items.filter((item) => item.label !== person);
    cases.push(...strangerTracks(items, person, centering));
    for (const known of people.filter((p) => p !== person)) cases.push(...knownTracks(others, known, centering, minEnrolled));
  }
  return cases;
}

/**
 * Runs a track through the cloud's TrackBook (equal weights, one face per second): named or alerted
 * while running, else decided by the track-end rule when it ends (no rule: stays undecided).
 */
export function simulateTrack(track: TrackCase, thresholds: Thresholds, endRule: TrackEndRule | undefined, topK: number): TrackOutcome {
  const book = new TrackBook<null>({ thresholds: () => thresholds, topK, maxFacesPerTrack: 16, maxTracks: 1, idleMs: 1e9, endRule: endRule ? () => endRule : undefined, endAfterMs: 1 });
  let last: TrackStep | undefined;
  track.faces.forEach((people, i) => {
    last = book.observe('t', { people: people.map((p) => ({ ownerId: p.label, similarity: p.similarity })), weight: 1, at: i * 1000, extra: null });
  });
  if (!last) return { outcome: 'undecided' };
  if (last.action === 'name') return { outcome: 'named', person: last.personId };
  if (last.action === 'unknown') return { outcome: 'alerted' };
  const [ended] = book.endIdle(track.faces.length * 1000 + 1e6);
  if (!ended) return { outcome: 'undecided' };
  if (ended.step.action === 'name') return { outcome: 'named', person: ended.step.personId };
  return ended.step.action === 'unknown' ? { outcome: 'alerted-at-end' } : { outcome: 'undecided' };
}

export function emptyTrackCounts(): TrackCounts {
  return { knownTracks: 0, knownNamedCorrectly: 0, knownNamedWrong: 0, knownAlerted: 0, knownAlertedAtEnd: 0, knownUndecided: 0, strangerTracks: 0, strangerAccepts: 0, strangerAlerted: 0, strangerAlertedAtEnd: 0, strangerUndecided: 0 };
}

/** Adds one simulated track's outcome to the counts. */
export function countTrack(counts: TrackCounts, track: TrackCase, result: TrackOutcome): void {
  const alerted = result.outcome === 'alerted' || result.outcome === 'alerted-at-end';
  if (track.enrolled) {
    counts.knownTracks++;
    if (result.outcome === 'named') {
      if (result.person === track.label) counts.knownNamedCorrectly++;
      else counts.knownNamedWrong++;
    }
    if (alerted) counts.knownAlerted++;
    if (result.outcome === 'alerted-at-end') counts.knownAlertedAtEnd++;
    if (result.outcome === 'undecided') counts.knownUndecided++;
  } else {
    counts.strangerTracks++;
    if (result.outcome === 'named') counts.strangerAccepts++;
    if (alerted) counts.strangerAlerted++;
    if (result.outcome === 'alerted-at-end') counts.strangerAlertedAtEnd++;
    if (result.outcome === 'undecided') counts.strangerUndecided++;
  }
}

export function countTracks(tracks: readonly TrackCase[], thresholds: Thresholds, endRule: TrackEndRule | undefined, topK: number): TrackCounts {
  const counts = emptyTrackCounts();
  for (const track of tracks) countTrack(counts, track, simulateTrack(track, thresholds, endRule, topK));
  return counts;
}

/** A track's pooled evidence as the cloud pools it (equal weights). */
export function pooledOf(track: TrackCase, topK: number): PooledPerson[] {
  return poolTrack(track.faces.map((people) => ({ people: people.map((p) => ({ ownerId: p.label, similarity: p.similarity })), weight: 1 })), topK);
}

/**
 * The rule the track-end defaults come from, applied to leave-one-person-out tracks (no stranger is
 * used): over every known track whose pooled best person is its own, endThreshold = the lowest
 * pooled best similarity − margin (rounded down to 0.01, kept within [lower, upper]) and minMargin =
 * the lowest pooled best − second best − margin (rounded down to 0.01, at least 0): no enrolled
 * person's track of the data would be alerted at its end. Undefined without such tracks.
 */
export function trackEndRuleByData(tracks: readonly TrackCase[], thresholds: Thresholds, topK: number, margin = THRESHOLD_MARGIN): TrackEndRule | undefined {
  const best: number[] = [];
  const margins: number[] = [];
  for (const track of tracks) {
    if (!track.enrolled) continue;
    const [first, second] = pooledOf(track, topK);
    if (!first || first.personId !== track.label) continue;
    best.push(first.similarity);
    if (second) margins.push(first.similarity - second.similarity);
  }
  if (best.length === 0) return undefined;
  const floor = (v: number) => Math.floor(v * 100 + 1e-9) / 100;
  const endThreshold = Math.min(thresholds.upper, Math.max(thresholds.lower, floor(Math.min(...best) - margin)));
  const minMargin = margins.length ? Math.max(0, floor(Math.min(...margins) - margin)) : 0;
  return { endThreshold, minMargin };
}

/** The fit of both rules (thresholds, then the track end) on one set of people. */
export function fitRules(items: readonly LabelledEmbedding[], centering: Centering, topK: number): { thresholds: Thresholds; endRule: TrackEndRule } | undefined {
  const thresholds = thresholdsByRule(leaveOnePersonOut(items, centering));
  if (!thresholds) return undefined;
  const endRule = trackEndRuleByData(leaveOnePersonOutTracks(items, centering), thresholds, topK);
  return endRule ? { thresholds, endRule } : undefined;
}

export interface NestedTrackEstimate {
  /** No track-end rule (tracks that stay undecided are never alerted). */
  before: TrackCounts;
  /** With the track-end rule. */
  after: TrackCounts;
  /** Fits that could not be made (too few people left). */
  skipped: number;
  /** The range of the values the nested fits gave (thresholds and track end). */
  fitted?: { upper: [number, number]; lower: [number, number]; endThreshold: [number, number]; minMargin: [number, number] };
}

/**
 * The honest estimate of track decisions: every track is decided with thresholds and a track-end
 * rule fitted on data without its person. A stranger P's tracks (gallery: everybody else) use the
 * rules fitted on everybody but P; an enrolled person Q's tracks in P's fold use the rules fitted
 * on everybody but P and Q. The fits always use MIN_ENROLLED_IMAGES; `minEnrolled` is for the tracks decided.
 */
export function nestedTrackEstimate(items: readonly LabelledEmbedding[], centering: Centering, topK: number, minEnrolled = MIN_ENROLLED_IMAGES): NestedTrackEstimate {
  const people = [...new Set(items.map((item) => item.label))].sort();
  const before = emptyTrackCounts();
  const after = emptyTrackCounts();
  let skipped = 0;
  const fits: NonNullable<ReturnType<typeof fitRules>>[] = [];
  const run = (tracks: readonly TrackCase[], fit: ReturnType<typeof fitRules>) => {
    if (!fit) {
      skipped++;
      return;
    }
    fits.push(fit);
    for (const track of tracks) {
      countTrack(before, track, simulateTrack(track, fit.thresholds, undefined, topK));
      countTrack(after, track, simulateTrack(track, fit.thresholds, fit.endRule, topK));
    }
  };
  for (const stranger of people) {
    const others = items.filter((item) => item.label !== stranger);
    run(strangerTracks(items, stranger, centering), fitRules(others, centering, topK));
    for (const known of people.filter((p) => p !== stranger)) {
      run(knownTracks(others, known, centering, minEnrolled), fitRules(others.filter((item) => item.label !== known), centering, topK));
    }
  }
  const range = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)];
  const fitted = fits.length
    ? {
        upper: range(fits.map((f) => f.thresholds.upper)),
        lower: range(fits.map((f) => f.thresholds.lower)),
        endThreshold: range(fits.map((f) => f.endRule.endThreshold)),
        minMargin: range(fits.map((f) => f.endRule.minMargin)),
      }
    : undefined;
  return { before, after, skipped, ...(fitted ? { fitted } : {}) };
}
