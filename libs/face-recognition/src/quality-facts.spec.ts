import { qualityFacts } from './face-recognition.service';

describe('qualityFacts (what the quality gate looks at)', () => {
  const face = { box: { x: 0, y: 0, width: 56, height: 80 }, score: 0.9, embedding: new Float32Array(1) };

  it("takes the fog's measure when the crop carries one", () => {
    expect(qualityFacts({ quality: { score: 0.7, size: 30, sharpness: 0.5, frontal: 0.9 } }, face)).toEqual({ size: 30, score: 0.7 });
  });

  it("else the cloud's own: the face box's smaller side and the detector score scaled down under 112 px", () => {
    expect(qualityFacts({}, face)).toEqual({ size: 56, score: expect.closeTo(0.9 * (Math.sqrt(56 * 80) / 112), 9) });
  });
});
