/**
 * Indices of the `k` largest of `scores[0..count)`, best first (ties: lower index first). One pass,
 * O(count + k log k) in practice: a candidate only costs more than a compare when it beats the current k-th.
 * `scale` (per index) multiplies each score before comparing when given.
 */
export function topK(scores: ArrayLike<number>, count: number, k: number, scale?: ArrayLike<number>, factor = 1): { index: number; score: number }[] {
  const size = Math.min(k, count);
  if (size <= 0) return [];
  // Kept ascending by score: slot 0 is the worst kept candidate.
  const keptIndex = new Int32Array(size);
  const keptScore = new Float64Array(size).fill(-Infinity);
  let filled = 0;
  for (let i = 0; i < count; i++) {
    const score = scale ? scores[i] * scale[i] * factor : scores[i] * factor;
    if (filled === size && score <= keptScore[0]) continue;
    // Insert keeping ascending order; drop slot 0 when full.
    let pos: number;
    if (filled < size) {
      pos = filled++;
      while (pos > 0 && keptScore[pos - 1] > score) {
        keptScore[pos] = keptScore[pos - 1];
        keptIndex[pos] = keptIndex[pos - 1];
        pos--;
      }
    } else {
      pos = 0;
      while (pos + 1 < size && keptScore[pos + 1] < score) {
        keptScore[pos] = keptScore[pos + 1];
        keptIndex[pos] = keptIndex[pos + 1];
        pos++;
      }
    }
    keptScore[pos] = score;
    keptIndex[pos] = i;
  }
  const out: { index: number; score: number }[] = [];
  for (let j = filled - 1; j >= 0; j--) out.push({ index: keptIndex[j], score: keptScore[j] });
  // Equal scores: lower index first (insertion keeps the earlier one below a later equal one).
  out.sort((a, b) => b.score - a.score || a.index - b.index);
  return out;
}
