import { CloudConfig } from '@sentinel/config';
import { thresholdsFor, trackEndRuleFor } from './similarity-space';

describe('thresholdsFor (the thresholds follow the similarity space in use)', () => {
  const config = { matchThreshold: 0.29, unknownThreshold: 0.2, rawMatchThreshold: 0.63, rawUnknownThreshold: 0.54 };

  it('gives the centered thresholds for centered cosines and the raw ones for raw cosines', () => {
    expect(thresholdsFor('centered', config)).toEqual({ upper: 0.29, lower: 0.2 });
    expect(thresholdsFor('raw', config)).toEqual({ upper: 0.63, lower: 0.54 });
  });

  it('reads whatever the config says (defaults: README figures)', () => {
    expect(thresholdsFor('raw', new CloudConfig())).toEqual({ upper: 0.63, lower: 0.54 });
    expect(thresholdsFor('centered', { ...config, matchThreshold: 0.4, unknownThreshold: 0.1 })).toEqual({ upper: 0.4, lower: 0.1 });
  });
});

describe('trackEndRuleFor (the track-end rule follows the similarity space in use)', () => {
  it('gives the centered values for centered cosines and the raw ones for raw cosines (defaults: README "Track end")', () => {
    const cloud = new CloudConfig();
    expect(trackEndRuleFor('centered', cloud)).toEqual({ endThreshold: 0.2, minMargin: 0.07 });
    expect(trackEndRuleFor('raw', cloud)).toEqual({ endThreshold: 0.54, minMargin: 0 });
    expect(trackEndRuleFor('raw', { ...cloud, rawTrackEndThreshold: 0.6, rawTrackEndMargin: 0.01 })).toEqual({ endThreshold: 0.6, minMargin: 0.01 });
  });
});
