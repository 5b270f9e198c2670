import { Box, area } from '../geometry/box';

export interface CropPolicyOptions {
  /** Crops sent per track at most. */
  maxPerTrack: number;
  /** A later face goes up only when its quality score is at least the best sent times this. */
  betterFactor: number;
  /** Minimum capture-time gap between two searches of one track, ms. */
  retryIntervalMs: number;
  /** A track is searched at most once every this many frames of its camera. */
  searchEveryFrames: number;
  maxSearchesPerFrame: number;
  noFace: 'person' | 'none';
}

/** What has been looked for and sent for one person track. */
export interface TrackCropState {
  sent: number;
  /** Quality score (0..1) of the best face sent; 0 when only a person crop, or nothing, went up. */
  bestSentScore: number;
  /** Usable faces seen so far (sent or not). */
  facesSeen: number;
  lastSearchFrame: number | undefined;
  lastSearchAt: number | undefined;
}

export interface SearchCandidate {
  trackId: number;
  box: Box;
  score: number;
}

/** A search's result: a usable face and its quality score, a face too small to use, or none. */
export type SearchResult = { face: 'usable'; score: number } | { face: 'too-small' } | { face: 'none' };

export type CropDecision = { send: 'face' } | { send: 'person' } | { send: 'nothing'; why: 'no-face' | 'too-small' | 'not-better' | 'limit' };

const freshState = (): TrackCropState => ({ sent: 0, bestSentScore: 0, facesSeen: 0, lastSearchFrame: undefined, lastSearchAt: undefined });

/** Whether a track is due for a search in frame `frame` at time `now`: never searched, or both gaps passed, and budget left. */
export function searchDue(state: TrackCropState | undefined, frame: number, now: number, options: Pick<CropPolicyOptions, 'maxPerTrack' | 'retryIntervalMs' | 'searchEveryFrames'>): boolean {
  if (!state || state.lastSearchFrame === undefined || state.lastSearchAt === undefined) return true;
  if (state.sent >= options.maxPerTrack) return false;
  return frame - state.lastSearchFrame >= options.searchEveryFrames && now - state.lastSearchAt >= options.retryIntervalMs;
}

/**
 * What to send for a search result, given what the track already sent: the first usable face at
 * once; later faces only when clearly better (quality >= best sent x betterFactor); a person crop
 * only as the track's first crop when no usable face was found (noFace: person); never past the budget.
 */
export function decideCrop(state: TrackCropState, result: SearchResult, options: Pick<CropPolicyOptions, 'maxPerTrack' | 'betterFactor' | 'noFace'>): CropDecision {
  if (state.sent >= options.maxPerTrack) return { send: 'nothing', why: 'limit' };
  if (result.face === 'usable') {
    const better = state.bestSentScore === 0 || result.score >= state.bestSentScore * options.betterFactor;
    return better ? { send: 'face' } : { send: 'nothing', why: 'not-better' };
  }
  if (state.sent === 0 && options.noFace === 'person') return { send: 'person' };
  return { send: 'nothing', why: result.face === 'too-small' ? 'too-small' : 'no-face' };
}

/**
 * Keeps looking for a better face over each person track's life, bounded: a track is searched at most
 * every `searchEveryFrames` frames (and `retryIntervalMs`), at most `maxSearchesPerFrame` searches per
 * frame taken round-robin (never-searched tracks first, then the longest unsearched), and at most
 * `maxPerTrack` crops per track. So fog-to-cloud traffic grows with people, not with frames, and the
 * face-search cost per frame has a ceiling.
 */
export class CropPolicy {
  private readonly states = new Map<number, TrackCropState>();

  constructor(private readonly options: CropPolicyOptions) {}

  state(trackId: number): TrackCropState {
    let state = this.states.get(trackId);
    if (!state) this.states.set(trackId, (state = freshState()));
    return state;
  }

  forget(trackId: number): void {
    this.states.delete(trackId);
  }

  /** Person tracks of frame `frame` to search now, round-robin, bounded per frame. */
  pickSearches(candidates: readonly SearchCandidate[], frame: number, now: number): SearchCandidate[] {
    const due = candidates.filter((c) => searchDue(this.states.get(c.trackId), frame, now, this.options));
    const lastSearch = (c: SearchCandidate) => this.states.get(c.trackId)?.lastSearchFrame ?? -Infinity;
    due.sort((a, b) => lastSearch(a) - lastSearch(b) || area(b.box) * b.score - area(a.box) * a.score);
    return due.slice(0, this.options.maxSearchesPerFrame);
  }

  /** Records a search of `trackId` in frame `frame` at `now` and decides what to send for its result. */
  decide(trackId: number, frame: number, now: number, result: SearchResult): CropDecision {
    const s = this.state(trackId);
    s.lastSearchFrame = frame;
    s.lastSearchAt = now;
    if (result.face === 'usable') s.facesSeen++;
    return decideCrop(s, result, this.options);
  }

  /** Records that a crop of `kind` went up (call after a successful emit); `score` is the face's quality score. */
  recordSent(trackId: number, kind: 'face' | 'person', score = 0): void {
    const s = this.state(trackId);
    s.sent++;
    if (kind === 'face') s.bestSentScore = Math.max(s.bestSentScore, score);
  }
}
