import { Box, area } from '../geometry/box';

export interface CropPolicyOptions {
  maxPerTrack: number;
  betterFactor: number;
  retryIntervalMs: number;
  maxSearchesPerFrame: number;
  noFace: 'person' | 'none';
}

/** What has gone up to the cloud for one person track. */
export interface TrackCropState {
  sent: number;
  /** Quality of the best face sent (0 when only a person crop, or nothing, was sent). */
  bestFaceQuality: number;
  lastSearchAt: number | undefined;
  /** Person box area at the last search: a new search waits for a clearly larger person. */
  lastSearchArea: number;
}

export interface SearchCandidate {
  trackId: number;
  box: Box;
  score: number;
}

/** Face quality: detector confidence times face area, so a larger, clearer face wins. */
export function faceQuality(score: number, box: Box): number {
  return score * area(box);
}

export type CropDecision = { send: 'face' } | { send: 'person' } | { send: 'nothing'; why: 'no-face' | 'not-better' | 'limit' };

/**
 * Decides which person tracks are worth a face search and whether a search result goes to the cloud:
 * the first crop when a track starts, later ones only for a clearly better face, at most `maxPerTrack`
 * per track and one search per track every `retryIntervalMs`. So fog-to-cloud traffic grows with
 * people, not with frames.
 */
export class CropPolicy {
  private readonly states = new Map<number, TrackCropState>();

  constructor(private readonly options: CropPolicyOptions) {}

  state(trackId: number): TrackCropState {
    let state = this.states.get(trackId);
    if (!state) this.states.set(trackId, (state = { sent: 0, bestFaceQuality: 0, lastSearchAt: undefined, lastSearchArea: 0 }));
    return state;
  }

  forget(trackId: number): void {
    this.states.delete(trackId);
  }

  /**
   * Person tracks of this frame to search, new tracks first, then the largest boxes; bounded per
   * frame. A track already searched is searched again only after `retryIntervalMs` and once its
   * person box has grown by `betterFactor` (a better face needs a closer person).
   */
  pickSearches(candidates: readonly SearchCandidate[], now: number): SearchCandidate[] {
    const eligible = candidates.filter((c) => {
      const s = this.states.get(c.trackId);
      if (!s || s.lastSearchAt === undefined) return true;
      if (s.sent >= this.options.maxPerTrack) return false;
      return now - s.lastSearchAt >= this.options.retryIntervalMs && area(c.box) >= s.lastSearchArea * this.options.betterFactor;
    });
    eligible.sort((a, b) => {
      const sentA = this.states.get(a.trackId)?.sent ?? 0;
      const sentB = this.states.get(b.trackId)?.sent ?? 0;
      return sentA - sentB || area(b.box) * b.score - area(a.box) * a.score;
    });
    return eligible.slice(0, this.options.maxSearchesPerFrame);
  }

  /** Records a search of `trackId` (person box `personBox`) at `now` and decides what to send for its result. */
  decide(trackId: number, now: number, personBox: Box, face: { score: number; box: Box } | null): CropDecision {
    const s = this.state(trackId);
    s.lastSearchAt = now;
    s.lastSearchArea = area(personBox);
    if (s.sent >= this.options.maxPerTrack) return { send: 'nothing', why: 'limit' };
    if (!face) {
      return s.sent === 0 && this.options.noFace === 'person' ? { send: 'person' } : { send: 'nothing', why: 'no-face' };
    }
    const quality = faceQuality(face.score, face.box);
    const better = s.sent === 0 || s.bestFaceQuality === 0 || quality >= s.bestFaceQuality * this.options.betterFactor;
    return better ? { send: 'face' } : { send: 'nothing', why: 'not-better' };
  }

  /** Records that a crop of `kind` went up (call after a successful emit). */
  recordSent(trackId: number, kind: 'face' | 'person', face: { score: number; box: Box } | null): void {
    const s = this.state(trackId);
    s.sent++;
    if (kind === 'face' && face) s.bestFaceQuality = Math.max(s.bestFaceQuality, faceQuality(face.score, face.box));
  }
}
