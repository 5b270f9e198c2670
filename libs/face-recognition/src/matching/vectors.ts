/** Dot product of the first `length` values (default: the shorter vector). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, length = Math.min(a.length, b.length)): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
  }
  if (i < length) s0 += a[i] * b[i];
  return s0 + s1;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** Cosine similarity in -1..1; 0 when either vector is all zeros. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`vector lengths differ: ${a.length} vs ${b.length}`);
  const n = norm(a) * norm(b);
  return n === 0 ? 0 : Math.max(-1, Math.min(1, dot(a, b) / n));
}

/** Writes `source / |source|` into `target` (same length or longer; the rest is left alone). Throws on a zero or non-finite vector. */
export function normalizeInto(source: ArrayLike<number>, target: Float32Array): Float32Array {
  const length = norm(source);
  if (!Number.isFinite(length) || length === 0) throw new Error('cannot normalise a zero or non-finite vector');
  for (let i = 0; i < source.length; i++) target[i] = source[i] / length;
  return target;
}

export function normalized(source: ArrayLike<number>): Float32Array {
  return normalizeInto(source, new Float32Array(source.length));
}
