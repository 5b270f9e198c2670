import { QUERY_CODE_MAX, quantizeInt8, quantizeQuery } from './quantize';
import { topK } from './top-k';
import { VectorBank } from './vector-bank';
import { dot, normalizeInto } from './vectors';

export type MatcherMode = 'exact' | 'int8';

export interface VectorIndexOptions {
  /** `exact`: float32 SIMD scan of every vector. `int8`: int8 SIMD scan, then exact float32 re-ranking of the best `rerank`. */
  mode: MatcherMode;
  /** Candidates re-ranked exactly in int8 mode (default 32). */
  rerank?: number;
  /** Initial room, in vectors (grows by doubling). */
  initialCapacity?: number;
}

export interface ScoredKey {
  key: number;
  /** Exact cosine similarity. */
  score: number;
}

/**
 * In-memory nearest-neighbour index over unit vectors, keyed by integer ids (database row ids).
 *
 * Storage: one contiguous Float32Array of `size x stride` values (`vectors()`, row r = vector of
 * `keyAt(r)`, L2-normalised, zero-padded to `stride`), plus in int8 mode one Int8Array of the same
 * shape with a scale per row. Removal moves the last row into the hole, so rows stay contiguous.
 * Cosine similarity = dot product of normalised vectors.
 */
export class VectorIndex {
  /** Values per row: `dim` rounded up to a multiple of 32 (the SIMD kernels' step). */
  readonly stride: number;
  readonly mode: MatcherMode;
  private readonly rerank: number;
  private readonly f32: VectorBank;
  private readonly i8: VectorBank | undefined;
  private scales: Float32Array;
  private keys: Int32Array;
  private readonly slotOf = new Map<number, number>();
  private count = 0;

  constructor(
    readonly dim: number,
    options: VectorIndexOptions,
  ) {
    if (!Number.isInteger(dim) || dim < 1 || dim > 4096) throw new Error(`vector dimension must be 1..4096, got ${dim}`);
    this.mode = options.mode;
    this.rerank = Math.max(1, options.rerank ?? 32);
    this.stride = Math.ceil(dim / 32) * 32;
    const capacity = Math.max(16, options.initialCapacity ?? 1024);
    this.f32 = new VectorBank(this.stride * 4, this.stride * 4, capacity);
    this.i8 = this.mode === 'int8' ? new VectorBank(this.stride, this.stride * 2, capacity) : undefined;
    this.scales = new Float32Array(capacity);
    this.keys = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  has(key: number): boolean {
    return this.slotOf.has(key);
  }

  /** Row keys in row order. */
  keyAt(row: number): number {
    if (row < 0 || row >= this.count) throw new RangeError(`row ${row} out of 0..${this.count - 1}`);
    return this.keys[row];
  }

  /** The gallery: `size x stride` normalised float32 values, one row per vector (a view: do not keep across add/remove). */
  vectors(): Float32Array {
    return new Float32Array(this.f32.buffer, 0, this.count * this.stride);
  }

  /** The stored (normalised) vector of `key`, or undefined. A view: copy it to keep it. */
  vectorOf(key: number): Float32Array | undefined {
    const row = this.slotOf.get(key);
    return row === undefined ? undefined : new Float32Array(this.f32.buffer, row * this.stride * 4, this.dim);
  }

  /** Adds (normalised) `vector` under `key`. Throws on a wrong length, zero vector or duplicate key. */
  add(key: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dim) throw new Error(`vector has ${vector.length} values, index expects ${this.dim}`);
    if (this.slotOf.has(key)) throw new Error(`key ${key} is already in the index`);
    this.ensureCapacity(this.count + 1);
    const row = this.count;
    const target = new Float32Array(this.f32.buffer, row * this.stride * 4, this.stride);
    normalizeInto(vector, target);
    target.fill(0, this.dim);
    if (this.i8) {
      const codes = new Int8Array(this.i8.buffer, row * this.stride, this.stride);
      this.scales[row] = quantizeInt8(target, codes);
    }
    this.keys[row] = key;
    this.slotOf.set(key, row);
    this.count++;
  }

  /** Removes `key`; the last row moves into its place. Returns false when absent. */
  remove(key: number): boolean {
    const row = this.slotOf.get(key);
    if (row === undefined) return false;
    const last = this.count - 1;
    if (row !== last) {
      const f = new Float32Array(this.f32.buffer);
      f.copyWithin(row * this.stride, last * this.stride, (last + 1) * this.stride);
      if (this.i8) {
        new Int8Array(this.i8.buffer).copyWithin(row * this.stride, last * this.stride, (last + 1) * this.stride);
        this.scales[row] = this.scales[last];
      }
      this.keys[row] = this.keys[last];
      this.slotOf.set(this.keys[row], row);
    }
    this.slotOf.delete(key);
    this.count--;
    return true;
  }

  clear(): void {
    this.slotOf.clear();
    this.count = 0;
  }

  /** The `k` most similar vectors to `query`, best first, with exact cosine similarity. */
  search(query: ArrayLike<number>, k: number): ScoredKey[] {
    if (this.count === 0 || k <= 0) return [];
    if (!this.i8) return this.searchExact(query, k);
    const unitQuery = this.writeQuery(query);
    const q16 = new Int16Array(this.i8.buffer, this.i8.queryOffset, this.stride);
    const queryScale = quantizeQuery(unitQuery, q16);
    this.i8.kernels.dotI8(0, this.i8.queryOffset, this.count, this.stride, this.i8.outOffset);
    const approx = new Int32Array(this.i8.buffer, this.i8.outOffset, this.count);
    const candidates = topK(approx, this.count, Math.max(k, this.rerank), this.scales, queryScale);
    const gallery = new Float32Array(this.f32.buffer);
    const exact = candidates.map(({ index }) => ({
      key: this.keys[index],
      score: clampCosine(dot(gallery.subarray(index * this.stride, index * this.stride + this.dim), unitQuery, this.dim)),
    }));
    exact.sort((a, b) => b.score - a.score || a.key - b.key);
    return exact.slice(0, k);
  }

  /** The `k` best by a full float32 SIMD scan, whatever the mode (the reference int8 mode is compared against). */
  searchExact(query: ArrayLike<number>, k: number): ScoredKey[] {
    if (this.count === 0 || k <= 0) return [];
    this.writeQuery(query);
    this.f32.kernels.dotF32(0, this.f32.queryOffset, this.count, this.stride, this.f32.outOffset);
    const scores = new Float32Array(this.f32.buffer, this.f32.outOffset, this.count);
    return topK(scores, this.count, k).map(({ index, score }) => ({ key: this.keys[index], score: clampCosine(score) }));
  }

  /** Exact cosine similarity of `query` to every row, in row order (float32 SIMD scan). For benchmarks and checks. */
  scoreAll(query: ArrayLike<number>): Float32Array {
    this.writeQuery(query);
    this.f32.kernels.dotF32(0, this.f32.queryOffset, this.count, this.stride, this.f32.outOffset);
    return new Float32Array(this.f32.buffer, this.f32.outOffset, this.count).slice();
  }

  /** Bytes a full scan reads: float32 rows in exact mode, int8 rows in int8 mode. */
  scanBytes(): number {
    return this.count * (this.i8 ? this.stride : this.stride * 4);
  }

  /** Sequential read of the bytes a scan touches (the memory-bandwidth floor), for benchmarks. */
  readScannedBytes(): number {
    const bank = this.i8 ?? this.f32;
    return bank.kernels.readBytes(0, Math.floor(this.scanBytes() / 64) * 64);
  }

  /** Sequential read of the float32 gallery's bytes. */
  readFloatBytes(): number {
    return this.f32.kernels.readBytes(0, Math.floor((this.count * this.stride * 4) / 64) * 64);
  }

  private writeQuery(query: ArrayLike<number>): Float32Array {
    if (query.length !== this.dim) throw new Error(`query has ${query.length} values, index expects ${this.dim}`);
    const target = new Float32Array(this.f32.buffer, this.f32.queryOffset, this.stride);
    normalizeInto(query, target);
    target.fill(0, this.dim);
    return target;
  }

  private ensureCapacity(rows: number): void {
    if (rows <= this.f32.capacity) return;
    this.f32.ensureCapacity(rows);
    this.i8?.ensureCapacity(rows);
    const capacity = this.f32.capacity;
    const scales = new Float32Array(capacity);
    scales.set(this.scales);
    this.scales = scales;
    const keys = new Int32Array(capacity);
    keys.set(this.keys);
    this.keys = keys;
  }
}

function clampCosine(value: number): number {
  return Math.max(-1, Math.min(1, value));
}

export { QUERY_CODE_MAX };
