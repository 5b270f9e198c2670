import { motionStillLabels, motionStillSourceFrames, remapMotGroundTruth } from './clips';

describe('motion/still clips and their ground truth', () => {
  it('maps each clip frame to the source frame it shows, stills repeating the last motion frame', () => {
    const plan = { motionFrames: 3, stillFrames: 2, cycles: 2 };
    expect(motionStillSourceFrames(plan)).toEqual([0, 1, 2, 2, 2, 3, 4, 5, 5, 5]);
    expect(motionStillSourceFrames(plan)).toHaveLength(motionStillLabels(plan).length);
  });

  it('moves each annotated source frame to the first clip frame showing it, and drops frames the clip never shows', () => {
    const sourceFrames = motionStillSourceFrames({ motionFrames: 3, stillFrames: 2, cycles: 2 });
    const gt = ['3,1,10,20,30,40,1,1,1', '4,2,11,21,31,41,0,1,1', '6,1,12,22,32,42,1,1,1', '9,5,1,1,5,5,1,1,1', ''].join('\n');
    // Source frame 3 (MOT, 1-based) = index 2, first shown at clip index 2; 4 -> 5; 6 -> 7; 9 is not in the clip.
    expect(remapMotGroundTruth(gt, sourceFrames)).toBe('3,1,10,20,30,40,1,1,1\n6,2,11,21,31,41,0,1,1\n8,1,12,22,32,42,1,1,1\n');
    expect(remapMotGroundTruth('', sourceFrames)).toBe('');
  });
});
