import type { CloudConfig } from '@sentinel/config';
import type { DecisionThresholds } from '../decision/open-set';
import type { TrackEndRule } from '../decision/track-end';

/**
 * The space the gallery's similarities live in: `centered` (cosine after subtracting the gallery's
 * mean face) or `raw` (plain cosine: `centering: none`, or `gallery` with too few people for a mean).
 * The two spaces need different thresholds (raw cosines between different people are ~0.35-0.45).
 */
export type SimilaritySpace = 'centered' | 'raw';

export type ThresholdConfig = Pick<CloudConfig, 'matchThreshold' | 'unknownThreshold' | 'rawMatchThreshold' | 'rawUnknownThreshold'>;

/** The two decision thresholds that belong to a similarity space. */
export function thresholdsFor(space: SimilaritySpace, config: ThresholdConfig): DecisionThresholds {
  return space === 'centered'
    ? { upper: config.matchThreshold, lower: config.unknownThreshold }
    : { upper: config.rawMatchThreshold, lower: config.rawUnknownThreshold };
}

export type TrackEndConfig = Pick<CloudConfig, 'trackEndThreshold' | 'trackEndMargin' | 'rawTrackEndThreshold' | 'rawTrackEndMargin'>;

/** The track-end rule's parameters that belong to a similarity space (`decideAtTrackEnd`). */
export function trackEndRuleFor(space: SimilaritySpace, config: TrackEndConfig): TrackEndRule {
  return space === 'centered'
    ? { endThreshold: config.trackEndThreshold, minMargin: config.trackEndMargin }
    : { endThreshold: config.rawTrackEndThreshold, minMargin: config.rawTrackEndMargin };
}
