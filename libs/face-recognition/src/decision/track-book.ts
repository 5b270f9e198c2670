import { DecisionThresholds, FaceEvidence, PooledPerson, decide, poolTrack } from './open-set';
import { TrackEndReason, TrackEndRule, decideAtTrackEnd } from './track-end';

/** A face of a track that passed the quality gate, with what is needed to store it or show it. */
export interface TrackFace<Extra = unknown> extends FaceEvidence {
  at: number;
  extra: Extra;
}

type TrackState = { kind: 'undecided' } | { kind: 'named'; personId: string } | { kind: 'unknown'; unknownId?: string };

/** How an undecided track was decided when it ended (the step carries it). */
export interface TrackEnd {
  /** `idle`: no face for `endAfterMs`; `faces`: `endAfterFaces` faces pooled. */
  trigger: 'idle' | 'faces';
  reason: TrackEndReason;
  second?: PooledPerson;
  /** Pooled nearest minus second (absent with one person pooled). */
  margin?: number;
}

/** What the cloud does with a track after one more face (or at its end). */
export type TrackStep =
  /** Name the track. `mergeUnknownId`: the track had been an unknown: merge it into this person. */
  | { action: 'name'; personId: string; similarity: number; faces: number; mergeUnknownId?: string }
  /**
   * The track is a stranger. `raiseAlert` once per track (the first time); `unknownId` is set when the
   * track already has one (otherwise the caller matches the stored unknowns and calls `assignUnknown`).
   */
  | { action: 'unknown'; unknownId?: string; raiseAlert: boolean; nearest?: PooledPerson; faces: number; end?: TrackEnd }
  /** Keep looking (or, with `end`, decided for good not to name nor alert): no identity event, no alert. */
  | { action: 'undecided'; nearest?: PooledPerson; faces: number; end?: TrackEnd };

export interface TrackBookOptions {
  /**
   * The thresholds of the similarity space the faces' similarities are in, asked on every decision
   * (they change when the gallery switches between raw and centered cosines: `Gallery.thresholds`).
   */
  thresholds: () => DecisionThresholds;
  /** Best faces per person pooled. */
  topK: number;
  /** Faces remembered per track (the lowest-weight one is dropped first). */
  maxFacesPerTrack: number;
  maxTracks: number;
  /** A track idle this long is forgotten. */
  idleMs: number;
  /** The track-end rule of the similarity space in use, asked at each end (`trackEndRuleFor`). Absent: tracks never end undecided. */
  endRule?: () => TrackEndRule;
  /** An undecided track without a face for this long has ended (`endIdle`); 0: never by time. */
  endAfterMs?: number;
  /** An undecided track is decided as at its end once it has pooled this many faces; 0: never by count. */
  endAfterFaces?: number;
}

interface Track<Extra> {
  faces: TrackFace<Extra>[];
  state: TrackState;
  lastAt: number;
  /** The end rule was applied (once per track). */
  ended: boolean;
}

/**
 * Per-track open-set decisions (pure, no I/O): each new face is pooled with the track's earlier ones
 * and the two-threshold rule decides. A named track stays named (a later bad frame never makes it an
 * intruder); an unknown track that later pools above the upper threshold is named and its unknown is
 * to be merged into that person. Bounded in tracks and faces per track.
 */
export class TrackBook<Extra = unknown> {
  private readonly tracks = new Map<string, Track<Extra>>();

  constructor(private readonly options: TrackBookOptions) {
    this.thresholds();
  }

  get size(): number {
    return this.tracks.size;
  }

  /** Adds a face to the track (created on first sight) and decides what to do. */
  observe(key: string, face: TrackFace<Extra>): TrackStep {
    this.evictIdle(face.at);
    const track = this.tracks.get(key) ?? { faces: [], state: { kind: 'undecided' } as TrackState, lastAt: face.at, ended: false };
    this.tracks.delete(key); // re-insert: Map order is least recently seen first
    this.tracks.set(key, track);
    while (this.tracks.size > this.options.maxTracks) this.tracks.delete(this.tracks.keys().next().value as string);
    track.lastAt = face.at;
    track.faces.push(face);
    if (track.faces.length > this.options.maxFacesPerTrack) {
      // The weakest earlier face goes (never the one just added: it is what the caller stores or shows).
      const earlier = track.faces.length - 1;
      let weakest = 0;
      for (let i = 1; i < earlier; i++) if (track.faces[i].weight < track.faces[weakest].weight) weakest = i;
      track.faces.splice(weakest, 1);
    }
    const pooled = poolTrack(track.faces, this.options.topK);
    const verdict = decide(pooled, this.thresholds());
    const faces = track.faces.length;
    const state = track.state;

    if (verdict.decision === 'named') {
      track.state = { kind: 'named', personId: verdict.personId };
      const mergeUnknownId = state.kind === 'unknown' ? state.unknownId : undefined;
      return { action: 'name', personId: verdict.personId, similarity: verdict.similarity, faces: verdict.faces, ...(mergeUnknownId ? { mergeUnknownId } : {}) };
    }
    if (state.kind === 'named') {
      // Sticky: the pool fell below the upper threshold after naming; still that person, never an intruder.
      const own = pooled.find((p) => p.personId === state.personId);
      return { action: 'name', personId: state.personId, similarity: own?.similarity ?? verdict.nearest?.similarity ?? 0, faces: own?.faces ?? faces };
    }
    if (state.kind === 'unknown') return { action: 'unknown', unknownId: state.unknownId, raiseAlert: false, nearest: verdict.nearest, faces };
    if (verdict.decision === 'unknown') {
      track.state = { kind: 'unknown' };
      return { action: 'unknown', raiseAlert: true, nearest: verdict.nearest, faces };
    }
    const afterFaces = this.options.endAfterFaces ?? 0;
    if (afterFaces > 0 && faces >= afterFaces && !track.ended) return this.end(track, pooled, 'faces');
    return { action: 'undecided', nearest: verdict.nearest, faces };
  }

  /**
   * Tracks still undecided that got no face for `endAfterMs` up to `now` have ended: each is decided
   * once by the track-end rule (`decideAtTrackEnd`) from its pooled faces. Returns their keys and steps
   * (`unknown` with `raiseAlert`, `name` only at the upper threshold, or a final `undecided`).
   */
  endIdle(now: number): { key: string; step: TrackStep }[] {
    const afterMs = this.options.endAfterMs ?? 0;
    if (afterMs <= 0 || !this.options.endRule) return [];
    const steps: { key: string; step: TrackStep }[] = [];
    for (const [key, track] of this.tracks) {
      if (now - track.lastAt < afterMs) break; // least recently seen first: the rest are newer
      if (track.ended || track.state.kind !== 'undecided' || track.faces.length === 0) continue;
      steps.push({ key, step: this.end(track, poolTrack(track.faces, this.options.topK), 'idle') });
    }
    return steps;
  }

  private end(track: Track<Extra>, pooled: PooledPerson[], trigger: TrackEnd['trigger']): TrackStep {
    track.ended = true;
    const faces = track.faces.length;
    if (!this.options.endRule) return { action: 'undecided', nearest: pooled[0], faces };
    const verdict = decideAtTrackEnd(pooled, this.thresholds(), this.options.endRule());
    const end: TrackEnd = { trigger, reason: verdict.reason, ...(verdict.second ? { second: verdict.second } : {}), ...(verdict.margin !== undefined ? { margin: verdict.margin } : {}) };
    if (verdict.decision === 'named' && verdict.nearest) {
      track.state = { kind: 'named', personId: verdict.nearest.personId };
      return { action: 'name', personId: verdict.nearest.personId, similarity: verdict.nearest.similarity, faces: verdict.nearest.faces };
    }
    if (verdict.decision === 'unknown') {
      track.state = { kind: 'unknown' };
      return { action: 'unknown', raiseAlert: true, nearest: verdict.nearest, faces, end };
    }
    return { action: 'undecided', nearest: verdict.nearest, faces, end };
  }

  /** Records the unknown id the caller gave (or found for) the track's stranger. */
  assignUnknown(key: string, unknownId: string): void {
    const track = this.tracks.get(key);
    if (track && track.state.kind === 'unknown') track.state = { kind: 'unknown', unknownId };
  }

  /** The unknown id the track's stranger has, if it was assigned one. */
  unknownIdOf(key: string): string | undefined {
    const state = this.tracks.get(key)?.state;
    return state?.kind === 'unknown' ? state.unknownId : undefined;
  }

  /** The track's most recent face. */
  lastFace(key: string): TrackFace<Extra> | undefined {
    return this.tracks.get(key)?.faces.at(-1);
  }

  /** The track's face with the highest weight (the alert's evidence). */
  bestFace(key: string): TrackFace<Extra> | undefined {
    const faces = this.tracks.get(key)?.faces ?? [];
    return faces.reduce<TrackFace<Extra> | undefined>((best, f) => (!best || f.weight > best.weight ? f : best), undefined);
  }

  /**
   * The unknown is gone from the gallery: tracks that were it become `personId` (merged or promoted
   * into that person) or undecided again (deleted, forgotten).
   */
  unknownGone(unknownId: string, personId?: string): void {
    for (const track of this.tracks.values()) {
      if (track.state.kind !== 'unknown' || track.state.unknownId !== unknownId) continue;
      track.state = personId ? { kind: 'named', personId } : { kind: 'undecided' };
    }
  }

  /**
   * The similarity space changed (e.g. the gallery's second person was enrolled: raw to centered
   * cosines): earlier faces' similarities are not comparable with new ones, so every track pools
   * afresh. What tracks were decided to be (named, unknown) stays.
   */
  forgetFaces(): void {
    for (const track of this.tracks.values()) track.faces = [];
  }

  private thresholds(): DecisionThresholds {
    const thresholds = this.options.thresholds();
    if (thresholds.lower > thresholds.upper) throw new Error(`unknown threshold ${thresholds.lower} is above the match threshold ${thresholds.upper}`);
    return thresholds;
  }

  private evictIdle(now: number): void {
    for (const [key, track] of this.tracks) {
      if (now - track.lastAt <= this.options.idleMs) break; // least recently seen first: the rest are newer
      this.tracks.delete(key);
    }
  }
}
