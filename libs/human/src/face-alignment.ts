/** A point in image pixels. */
export type Point = readonly [number, number];

/** A facemesh point: x, y in image pixels (and z, unused here). */
export type MeshPoint = readonly [number, number, (number | undefined)?];

/**
 * Where ArcFace-style face descriptors expect the five landmarks of a 112x112 face (the subject's right
 * eye, left eye, nose tip, right and left mouth corner, in image order: left eye of the picture first).
 */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** Facemesh (468 points) indices of the five landmarks: eye corners (averaged), nose tip, mouth corners. */
const EYE_LEFT_IN_IMAGE = [33, 133];
const EYE_RIGHT_IN_IMAGE = [362, 263];
const NOSE_TIP = 4;
const MOUTH_LEFT_IN_IMAGE = 61;
const MOUTH_RIGHT_IN_IMAGE = 291;
export const FACEMESH_POINTS = 468;

const midpoint = (mesh: readonly MeshPoint[], [a, b]: number[]): Point => [(mesh[a][0] + mesh[b][0]) / 2, (mesh[a][1] + mesh[b][1]) / 2];

/** The five ArcFace landmarks from a facemesh (points `[x, y, z?]` in image pixels). Throws on a short mesh. */
export function fivePointLandmarks(mesh: readonly MeshPoint[]): Point[] {
  if (mesh.length < FACEMESH_POINTS) throw new Error(`face mesh has ${mesh.length} points, expected ${FACEMESH_POINTS}`);
  const point = (i: number): Point => [mesh[i][0], mesh[i][1]];
  return [midpoint(mesh, EYE_LEFT_IN_IMAGE), midpoint(mesh, EYE_RIGHT_IN_IMAGE), point(NOSE_TIP), point(MOUTH_LEFT_IN_IMAGE), point(MOUTH_RIGHT_IN_IMAGE)];
}

/**
 * A similarity transform (rotation, uniform scale, translation): `x' = a·x − b·y + tx`, `y' = b·x + a·y + ty`.
 */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity mapping `source` points onto `target` points (Umeyama without reflection). */
export function similarityTransform(source: readonly Point[], target: readonly Point[]): Similarity {
  if (source.length !== target.length || source.length < 2) throw new Error('similarityTransform needs two equally long lists of at least 2 points');
  const n = source.length;
  let sx = 0;
  let sy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    sx += source[i][0];
    sy += source[i][1];
    tx += target[i][0];
    ty += target[i][1];
  }
  sx /= n;
  sy /= n;
  tx /= n;
  ty /= n;
  let spread = 0;
  let along = 0;
  let across = 0;
  for (let i = 0; i < n; i++) {
    const x = source[i][0] - sx;
    const y = source[i][1] - sy;
    const u = target[i][0] - tx;
    const v = target[i][1] - ty;
    spread += x * x + y * y;
    along += x * u + y * v;
    across += x * v - y * u;
  }
  if (spread === 0) throw new Error('similarityTransform: source points coincide');
  const a = along / spread;
  const b = across / spread;
  return { a, b, tx: tx - (a * sx - b * sy), ty: ty - (b * sx + a * sy) };
}

export function applySimilarity(t: Similarity, [x, y]: Point): Point {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

/**
 * Warps interleaved RGB pixels into a `size x size` float RGB image (values 0..255) through `t`
 * (source → output), sampling bilinearly; pixels outside the source are 0.
 */
export function warpSimilarity(rgb: Uint8Array, width: number, height: number, t: Similarity, size: number): Float32Array {
  const det = t.a * t.a + t.b * t.b;
  if (!(det > 0)) throw new Error('warpSimilarity: degenerate transform');
  const out = new Float32Array(size * size * 3);
  const at = (x: number, y: number, c: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : rgb[(y * width + x) * 3 + c]);
  for (let yo = 0; yo < size; yo++) {
    for (let xo = 0; xo < size; xo++) {
      // Inverse map: output pixel → source position.
      const u = xo - t.tx;
      const v = yo - t.ty;
      const x = (t.a * u + t.b * v) / det;
      const y = (-t.b * u + t.a * v) / det;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const base = (yo * size + xo) * 3;
      for (let c = 0; c < 3; c++) {
        const top = (1 - fx) * at(x0, y0, c) + fx * at(x0 + 1, y0, c);
        const bottom = (1 - fx) * at(x0, y0 + 1, c) + fx * at(x0 + 1, y0 + 1, c);
        out[base + c] = (1 - fy) * top + fy * bottom;
      }
    }
  }
  return out;
}

/** The ArcFace template scaled to a `size` px square output (e.g. 224 for faceres), centred. */
export function templateFor(size: number): Point[] {
  const k = size / 112;
  return ARCFACE_TEMPLATE_112.map(([x, y]) => [x * k, y * k] as Point);
}

/** The aligned `size x size` face crop (float RGB 0..255) for a facemesh found in `rgb`. */
export function alignedFaceCrop(rgb: Uint8Array, width: number, height: number, mesh: readonly MeshPoint[], size: number): Float32Array {
  return warpSimilarity(rgb, width, height, similarityTransform(fivePointLandmarks(mesh), templateFor(size)), size);
}
