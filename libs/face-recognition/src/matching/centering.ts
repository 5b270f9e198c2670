import { normalized } from './vectors';

/** `none`: cosine of the raw embeddings; `gallery`: subtract the enrolled people's mean face first. */
export type Centering = 'none' | 'gallery';

/** Centering needs at least this many enrolled people: one person's own mean would cancel their face. */
export const MIN_PEOPLE_FOR_CENTERING = 2;

/**
 * The mean face of a gallery: the mean of each person's mean L2-normalised embedding (every person
 * weighs the same, however many images they enrolled). Undefined with fewer than
 * `MIN_PEOPLE_FOR_CENTERING` people.
 *
 * Why: faceres embeddings are all non-negative (pooled after a ReLU), so any two faces share a large
 * common component; removing the gallery's mean leaves what tells people apart.
 */
export function galleryCenter(facesByPerson: Iterable<readonly Float32Array[]>): Float32Array | undefined {
  let center: Float64Array | undefined;
  let people = 0;
  for (const faces of facesByPerson) {
    if (faces.length === 0) continue;
    center ??= new Float64Array(faces[0].length);
    const share = 1 / faces.length;
    for (const face of faces) {
      const unit = normalized(face);
      for (let i = 0; i < unit.length; i++) center[i] += unit[i] * share;
    }
    people++;
  }
  if (!center || people < MIN_PEOPLE_FOR_CENTERING) return undefined;
  return Float32Array.from(center, (value) => value / people);
}

/** The vector the matcher compares: `normalize(normalize(raw) - center)`, or `normalize(raw)` without a center. */
export function projectEmbedding(raw: ArrayLike<number>, center?: Float32Array): Float32Array {
  const unit = normalized(raw);
  if (!center) return unit;
  if (center.length !== unit.length) throw new Error(`center has ${center.length} values, embedding ${unit.length}`);
  for (let i = 0; i < unit.length; i++) unit[i] -= center[i];
  return normalized(unit);
}
