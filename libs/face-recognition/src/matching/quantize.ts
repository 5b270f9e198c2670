/**
 * Symmetric per-vector int8 quantisation: codes = round(v / scale), scale = max|v| / 127, so
 * v ~= codes * scale. A dot product of two quantised vectors is `dot(codesA, codesB) * scaleA * scaleB`.
 */
export function quantizeInt8(vector: ArrayLike<number>, codes: Int8Array): number {
  return quantizeSymmetric(vector, codes, 127);
}

/** codes = round(v / scale) with scale = max|v| / codeMax; returns the scale (0 for a zero vector). */
function quantizeSymmetric(vector: ArrayLike<number>, codes: Int8Array | Int16Array, codeMax: number): number {
  let maxAbs = 0;
  for (let i = 0; i < vector.length; i++) maxAbs = Math.max(maxAbs, Math.abs(vector[i]));
  if (maxAbs === 0) {
    codes.fill(0, 0, vector.length);
    return 0;
  }
  const scale = maxAbs / codeMax;
  for (let i = 0; i < vector.length; i++) codes[i] = Math.round(vector[i] / scale);
  return scale;
}

/**
 * The query side in int16 with 11 bits (|code| <= 2047): int8 x int16 products summed over 4096
 * dimensions stay below 2^31 (127 * 2047 * 4096 ~ 1.06e9), and the query keeps more precision than int8.
 */
export const QUERY_CODE_MAX = 2047;

export function quantizeQuery(vector: ArrayLike<number>, codes: Int16Array): number {
  return quantizeSymmetric(vector, codes, QUERY_CODE_MAX);
}
