import { ARCFACE_TEMPLATE_112, FACEMESH_POINTS, Point, applySimilarity, fivePointLandmarks, similarityTransform, templateFor, warpSimilarity } from './face-alignment';

describe('face alignment (pure)', () => {
  it('recovers a known rotation, scale and shift from five points', () => {
    const angle = 0.3;
    const truth = { a: 1.7 * Math.cos(angle), b: 1.7 * Math.sin(angle), tx: 12, ty: -4 };
    const source: Point[] = [[10, 20], [40, 22], [25, 35], [14, 50], [38, 49]];
    const t = similarityTransform(source, source.map((p) => applySimilarity(truth, p)));
    expect(t.a).toBeCloseTo(truth.a, 9);
    expect(t.b).toBeCloseTo(truth.b, 9);
    expect(t.tx).toBeCloseTo(truth.tx, 9);
    expect(t.ty).toBeCloseTo(truth.ty, 9);
    expect(() => similarityTransform([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow(/coincide/);
  });

  it('scales the ArcFace template to the model input', () => {
    expect(templateFor(112)).toEqual(ARCFACE_TEMPLATE_112);
    expect(templateFor(224)[2][0]).toBeCloseTo(2 * ARCFACE_TEMPLATE_112[2][0], 9);
  });

  it('takes the five landmarks from a facemesh and refuses a short one', () => {
    const mesh = Array.from({ length: FACEMESH_POINTS }, (_, i) => [i, 2 * i, 0] as const);
    const points = fivePointLandmarks(mesh);
    expect(points[0]).toEqual([(33 + 133) / 2, 33 + 133]);
    expect(points[2]).toEqual([4, 8]);
    expect(() => fivePointLandmarks(mesh.slice(0, 10))).toThrow(/10 points/);
  });

  it('warps pixels: identity keeps them, a 2x zoom samples the source at half the coordinates, outside is 0', () => {
    const width = 4;
    const height = 4;
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => Math.floor(i / 3) * 10);
    const same = warpSimilarity(rgb, width, height, { a: 1, b: 0, tx: 0, ty: 0 }, 4);
    expect(Array.from(same.filter((_, i) => i % 3 === 0))).toEqual(Array.from({ length: 16 }, (_, i) => i * 10));
    const zoom = warpSimilarity(rgb, width, height, { a: 2, b: 0, tx: 0, ty: 0 }, 4);
    // Output (2, 1) comes from source (1, 0.5): halfway between pixel (1, 0) = 10 and pixel (1, 1) = 50.
    expect(zoom[(1 * 4 + 2) * 3]).toBeCloseTo(30, 6);
    const shifted = warpSimilarity(rgb, width, height, { a: 1, b: 0, tx: 10, ty: 0 }, 4);
    expect(Array.from(shifted).every((v) => v === 0)).toBe(true);
  });
});
