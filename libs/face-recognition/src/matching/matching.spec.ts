import { decideIdentity, rankOwners } from './match-policy';
import { QUERY_CODE_MAX, quantizeInt8, quantizeQuery } from './quantize';
import { buildKernelModule, instantiateKernels, kernelsSupported } from './simd-kernels';
import { topK } from './top-k';
import { VectorIndex } from './vector-index';
import { cosineSimilarity, dot, normalized } from './vectors';

describe('vectors', () => {
  it('computes dot, cosine and normalisation on hand-computed cases', () => {
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 1], [2, 2])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0], [-3, 0])).toBe(-1);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
    expect([...normalized([3, 4])]).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(() => normalized([0, 0])).toThrow(/zero/);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(/lengths differ/);
  });
});

describe('quantisation', () => {
  it('maps the largest magnitude to +-127 and keeps the sign', () => {
    const codes = new Int8Array(3);
    const scale = quantizeInt8([0.5, -1, 0.25], codes);
    expect(scale).toBeCloseTo(1 / 127, 12);
    expect([...codes]).toEqual([64, -127, 32]);
  });
  it('quantises the query to 11 bits', () => {
    const codes = new Int16Array(2);
    expect(quantizeQuery([-2, 1], codes)).toBeCloseTo(2 / QUERY_CODE_MAX, 12);
    expect([...codes]).toEqual([-QUERY_CODE_MAX, 1024]);
  });
  it('leaves a zero vector at zero', () => {
    const codes = new Int8Array(2).fill(5);
    expect(quantizeInt8([0, 0], codes)).toBe(0);
    expect([...codes]).toEqual([0, 0]);
  });
});

describe('topK', () => {
  it('returns the k largest, best first, ties by lower index', () => {
    expect(topK([0.1, 0.9, 0.5, 0.9, -1], 5, 3)).toEqual([
      { index: 1, score: 0.9 },
      { index: 3, score: 0.9 },
      { index: 2, score: 0.5 },
    ]);
    expect(topK([3, 1], 2, 5).map((c) => c.index)).toEqual([0, 1]);
    expect(topK([3, 1], 0, 5)).toEqual([]);
  });
  it('applies per-index scales and a factor', () => {
    expect(topK([10, 10, 10], 3, 1, [0.1, 0.3, 0.2], 2)).toEqual([{ index: 1, score: 6 }]);
  });
  it('agrees with a full sort on random data', () => {
    const scores = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const expected = [...scores].map((score, index) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index).slice(0, 10);
    expect(topK(scores, scores.length, 10)).toEqual(expected);
  });
});

describe('SIMD kernels', () => {
  it('is a valid module whose kernels match scalar loops', () => {
    expect(kernelsSupported()).toBe(true);
    expect(buildKernelModule().subarray(0, 4)).toEqual(Uint8Array.from([0, 0x61, 0x73, 0x6d]));
    const k = instantiateKernels(1);
    const f = new Float32Array(k.memory.buffer);
    for (let i = 0; i < 96; i++) f[i] = (i % 7) - 3;
    for (let i = 0; i < 32; i++) f[128 + i] = (i % 5) * 0.5;
    k.dotF32(0, 512, 3, 32, 1024);
    for (let r = 0; r < 3; r++) expect(f[256 + r]).toBeCloseTo(dot(f.subarray(r * 32, r * 32 + 32), f.subarray(128, 160)), 4);

    const bytes = new Int8Array(k.memory.buffer);
    const q16 = new Int16Array(k.memory.buffer, 4096, 64);
    for (let i = 0; i < 128; i++) bytes[i] = ((i * 37) % 255) - 127;
    for (let i = 0; i < 64; i++) q16[i] = ((i * 101) % 4095) - 2047;
    k.dotI8(0, 4096, 2, 64, 8192);
    const out = new Int32Array(k.memory.buffer, 8192, 2);
    for (let r = 0; r < 2; r++) expect(out[r]).toBe(dot(bytes.subarray(r * 64, r * 64 + 64), q16));

    new Uint8Array(k.memory.buffer).fill(0, 0, 256);
    new Uint8Array(k.memory.buffer)[200] = 0x80;
    expect(k.readBytes(0, 256)).toBe(0x80 << 0);
    expect(k.readBytes(0, 192)).toBe(0);
  });
});

/** Deterministic pseudo-random vectors (xorshift), centred. */
function randomVectors(count: number, dim: number, seed = 1): Float32Array[] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296 - 0.5;
  };
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, next));
}

describe.each(['exact', 'int8'] as const)('VectorIndex (%s)', (mode) => {
  it('finds each stored vector as its own best match with cosine 1', () => {
    const index = new VectorIndex(100, { mode, initialCapacity: 16 });
    const vectors = randomVectors(50, 100);
    vectors.forEach((v, i) => index.add(i + 1, v));
    expect(index.size).toBe(50);
    expect(index.stride).toBe(128);
    for (const i of [0, 17, 49]) {
      const [best] = index.search(vectors[i], 1);
      expect(best.key).toBe(i + 1);
      expect(best.score).toBeCloseTo(1, 5);
    }
  });

  it('returns exact cosine scores in order', () => {
    const index = new VectorIndex(3, { mode });
    index.add(7, [1, 0, 0]);
    index.add(8, [1, 1, 0]);
    index.add(9, [-1, 0, 0]);
    const result = index.search([2, 0, 0], 3);
    expect(result.map((r) => r.key)).toEqual([7, 8, 9]);
    expect(result[1].score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(result[2].score).toBeCloseTo(-1, 6);
  });

  it('keeps rows contiguous through removals and growth', () => {
    const index = new VectorIndex(64, { mode, initialCapacity: 16 });
    const vectors = randomVectors(40, 64, 7);
    vectors.forEach((v, i) => index.add(100 + i, v));
    expect(index.remove(100 + 3)).toBe(true);
    expect(index.remove(100 + 3)).toBe(false);
    expect(index.remove(100 + 39)).toBe(true);
    expect(index.size).toBe(38);
    expect(index.vectors().length).toBe(38 * 64);
    // Every remaining row still holds its key's (normalised) vector.
    for (let row = 0; row < index.size; row++) {
      const key = index.keyAt(row);
      const stored = index.vectors().subarray(row * 64, row * 64 + 64);
      expect(cosineSimilarity(stored, vectors[key - 100])).toBeCloseTo(1, 5);
    }
    expect(index.search(vectors[3], 1)[0].key).not.toBe(103);
    for (let i = 0; i < 200; i++) index.add(1000 + i, randomVectors(1, 64, i + 11)[0]);
    expect(index.search(vectors[5], 1)[0]).toMatchObject({ key: 105 });
  });

  it('rejects wrong lengths, zero vectors and duplicate keys', () => {
    const index = new VectorIndex(4, { mode });
    expect(() => index.add(1, [1, 2, 3])).toThrow(/3 values.*expects 4/);
    expect(() => index.add(1, [0, 0, 0, 0])).toThrow(/zero/);
    index.add(1, [1, 0, 0, 0]);
    expect(() => index.add(1, [0, 1, 0, 0])).toThrow(/already/);
    expect(() => index.search([1, 0], 1)).toThrow(/2 values/);
  });

  it('agrees with the exact search on the best match', () => {
    const index = new VectorIndex(256, { mode, rerank: 8 });
    const vectors = randomVectors(500, 256, 5);
    vectors.forEach((v, i) => index.add(i, v));
    for (const seed of [21, 22, 23, 24]) {
      const query = randomVectors(1, 256, seed)[0].map((x, i) => x + vectors[seed][i]);
      const [fast, exact] = [index.search(query, 3), index.searchExact(query, 3)];
      expect(fast.map((r) => r.key)).toEqual(exact.map((r) => r.key));
      fast.forEach((r, i) => expect(r.score).toBeCloseTo(exact[i].score, 5));
    }
  });

  it('scores every row like a scalar loop', () => {
    const index = new VectorIndex(50, { mode });
    const vectors = randomVectors(20, 50, 3);
    vectors.forEach((v, i) => index.add(i, v));
    const query = randomVectors(1, 50, 99)[0];
    const scores = index.scoreAll(query);
    vectors.forEach((v, i) => expect(scores[i]).toBeCloseTo(cosineSimilarity(v, query), 5));
  });
});

describe('rankOwners and decideIdentity', () => {
  const candidates = [
    { ownerId: 'a', score: 0.9 },
    { ownerId: 'b', score: 0.8 },
    { ownerId: 'b', score: 0.78 },
    { ownerId: 'a', score: 0.3 },
    { ownerId: 'b', score: 0.76 },
  ];
  it('ranks by best score', () => {
    expect(rankOwners(candidates, 'best').map((o) => [o.ownerId, o.similarity])).toEqual([['a', 0.9], ['b', 0.8]]);
  });
  it('ranks by the mean of the top k scores', () => {
    const ranked = rankOwners(candidates, 'topk-mean', 2);
    expect(ranked[0].ownerId).toBe('b');
    expect(ranked[0].similarity).toBeCloseTo(0.79, 12);
    expect(ranked[1].similarity).toBeCloseTo(0.6, 12);
    expect(ranked[1].best).toBe(0.9);
  });
  it('decides known, repeated unknown, or new unknown around the threshold', () => {
    const known = [{ ownerId: 'p1', similarity: 0.6, best: 0.6 }];
    const unknown = [{ ownerId: 'unknown-3', similarity: 0.7, best: 0.7 }];
    expect(decideIdentity(known, unknown, 0.55)).toEqual({ kind: 'known', personId: 'p1', similarity: 0.6 });
    expect(decideIdentity(known, unknown, 0.65)).toMatchObject({ kind: 'unknown-seen', unknownId: 'unknown-3', similarity: 0.7 });
    expect(decideIdentity(known, unknown, 0.75)).toMatchObject({ kind: 'unknown-new' });
    expect(decideIdentity([], [], 0.5)).toEqual({ kind: 'unknown-new', bestKnown: undefined, bestUnknown: undefined });
    // Exactly at the threshold counts as a match.
    expect(decideIdentity(known, [], 0.6).kind).toBe('known');
  });
});
