import { DecisionThresholds, PooledPerson } from './open-set';

/**
 * How a track that stayed undecided is decided when it ends (no face for `cloud.trackEndMs`, or
 * `cloud.trackEndFaces` quality faces pooled). Both come from data by a stated rule
 * (`trackEndRuleByData` in evaluation.ts, README "Track end").
 */
export interface TrackEndRule {
  /** Pooled best similarity below which the ended track is a stranger (never below the lower threshold). */
  endThreshold: number;
  /**
   * Pooled best minus pooled second best below which the ended track is a stranger: it is about as
   * close to two enrolled people as to one, so it resembles nobody in particular.
   */
  minMargin: number;
}

export type TrackEndReason =
  /** Pooled best similarity at or above the upper threshold (as during the track). */
  | 'matched'
  /** Pooled best similarity below `endThreshold`: never close enough to anyone. */
  | 'far-from-everyone'
  /** Pooled best within `minMargin` of the second best: close to nobody in particular. */
  | 'no-clear-match'
  /** Close to one person, but below the upper threshold: not named on weak evidence, not alerted either. */
  | 'resembles-one-person';

export interface TrackEndVerdict {
  decision: 'named' | 'unknown' | 'undecided';
  reason: TrackEndReason;
  nearest?: PooledPerson;
  second?: PooledPerson;
  /** nearest - second (pooled); absent with fewer than two people pooled. */
  margin?: number;
}

/**
 * The decision for a track at its end, from its pooled evidence (best person first, `poolTrack`).
 * Named only at or above the upper threshold, exactly as during the track: the end never names on
 * weaker evidence. Unknown (an intruder) when the best pooled similarity is below
 * max(lower, endThreshold), or when it is less than `minMargin` above the second best. Otherwise
 * undecided for good (it resembles one enrolled person without reaching the upper threshold).
 * With a single person pooled there is no margin: only the similarity decides.
 */
export function decideAtTrackEnd(pooled: readonly PooledPerson[], thresholds: DecisionThresholds, rule: TrackEndRule): TrackEndVerdict {
  if (thresholds.lower > thresholds.upper) throw new Error(`lower threshold ${thresholds.lower} is above the upper ${thresholds.upper}`);
  const [nearest, second] = pooled;
  if (!nearest) return { decision: 'unknown', reason: 'far-from-everyone' };
  const margin = second ? nearest.similarity - second.similarity : undefined;
  const facts = { nearest, ...(second ? { second } : {}), ...(margin !== undefined ? { margin } : {}) };
  if (nearest.similarity >= thresholds.upper) return { decision: 'named', reason: 'matched', ...facts };
  const floor = Math.min(thresholds.upper, Math.max(thresholds.lower, rule.endThreshold));
  if (nearest.similarity < floor) return { decision: 'unknown', reason: 'far-from-everyone', ...facts };
  if (margin !== undefined && margin < rule.minMargin) return { decision: 'unknown', reason: 'no-clear-match', ...facts };
  return { decision: 'undecided', reason: 'resembles-one-person', ...facts };
}
