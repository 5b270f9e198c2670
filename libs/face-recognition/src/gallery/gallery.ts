import { randomUUID } from 'node:crypto';
import type { DecisionThresholds } from '../decision/open-set';
import { Centering, galleryCenter, projectEmbedding } from '../matching/centering';
import { SimilaritySpace } from '../matching/similarity-space';
import { Aggregate, Decision, OwnerMatch, decideIdentity, rankOwners } from '../matching/match-policy';
import { MatcherMode, VectorIndex } from '../matching/vector-index';
import { FaceRow, GalleryStore, PersonRow, StoredEmbedding, UnknownRow } from './gallery-store';

export interface GalleryOptions {
  /** Embedding model name stored with each vector; vectors of another model are not loaded. */
  model: string;
  matcher: MatcherMode;
  rerankCandidates: number;
  aggregate: Aggregate;
  topK: number;
  /** The thresholds of a similarity space (`thresholdsFor`): the match threshold used is the current space's. */
  thresholds: (space: SimilaritySpace) => DecisionThresholds;
  unknownFacesPerIdentity: number;
  /** Subtract the enrolled people's mean face before comparing (default `none`). */
  centering?: Centering;
}

export interface Sighting {
  cameraId: string;
  capturedAt: number;
  trackId?: number;
  crop?: Uint8Array;
  quality: number;
}

export type Identification =
  | { known: true; personId: string; name: string; similarity: number }
  | { known: false; unknownId: string; isNew: boolean; similarity: number; sightings: number; bestKnown?: { personId: string; similarity: number } };

export interface LoadReport {
  faces: number;
  unknownFaces: number;
  /** Rows embedded with another model or size: kept in the database, not matched (re-enroll them). */
  skipped: number;
}

/** The person was not found (REST: 404). */
export class NotFoundInGalleryError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundInGalleryError';
  }
}

/**
 * The gallery: SQLite rows plus two in-memory vector indexes (enrolled faces, unknown faces) that
 * always hold exactly the vectors of the database rows. Every write goes to the database first and
 * then to the index, in the same synchronous call, so the two never drift apart and concurrent
 * async callers cannot interleave between a match and the write it decides.
 */
interface HeldFace {
  ownerId: string;
  /** The embedding as the model gave it (the index holds its projection). */
  raw: Float32Array;
}

export class Gallery {
  private known: VectorIndex | undefined;
  private unknown: VectorIndex | undefined;
  private readonly knownFaces = new Map<number, HeldFace>();
  private readonly unknownFaces = new Map<number, HeldFace>();
  private center: Float32Array | undefined;
  private dim: number | undefined;

  constructor(
    readonly store: GalleryStore,
    readonly options: GalleryOptions,
  ) {}

  /** Fills the indexes from the database (boot, or after a restart). */
  load(): LoadReport {
    this.knownFaces.clear();
    this.unknownFaces.clear();
    this.dim = undefined;
    const report: LoadReport = { faces: 0, unknownFaces: 0, skipped: 0 };
    const usable = (row: StoredEmbedding) => row.model === this.options.model && (this.dim === undefined || row.embedding.length === this.dim);
    const fill = (rows: Iterable<StoredEmbedding>, held: Map<number, HeldFace>): number => {
      let loaded = 0;
      for (const row of rows) {
        if (!usable(row)) {
          report.skipped++;
          continue;
        }
        this.dim ??= row.embedding.length;
        held.set(row.id, { ownerId: row.ownerId, raw: row.embedding });
        loaded++;
      }
      return loaded;
    };
    report.faces = fill(this.store.allFaceEmbeddings(), this.knownFaces);
    report.unknownFaces = fill(this.store.allUnknownEmbeddings(), this.unknownFaces);
    this.rebuild();
    return report;
  }

  /** `centered` while a mean face is subtracted, else `raw` (`centering: none`, or too few people for a mean). */
  get space(): SimilaritySpace {
    return this.center ? 'centered' : 'raw';
  }

  /** The decision thresholds of the current similarity space. */
  thresholds(): DecisionThresholds {
    return this.options.thresholds(this.space);
  }

  get knownVectors(): number {
    return this.known?.size ?? 0;
  }

  get unknownVectors(): number {
    return this.unknown?.size ?? 0;
  }

  /** The known-face matcher's contiguous float32 vectors (size x stride), for checks. */
  knownMatrix(): { vectors: Float32Array; stride: number; keys: number[] } {
    if (!this.known) return { vectors: new Float32Array(0), stride: 0, keys: [] };
    const index = this.known;
    return { vectors: index.vectors().slice(), stride: index.stride, keys: Array.from({ length: index.size }, (_, r) => index.keyAt(r)) };
  }

  // --- people -------------------------------------------------------------------------------

  createPerson(name: string, notes?: string | null): PersonRow {
    return this.store.createPerson(randomUUID(), name, notes ?? null);
  }

  listPeople(): PersonRow[] {
    return this.store.listPeople();
  }

  getPerson(id: string): PersonRow {
    const person = this.store.getPerson(id);
    if (!person) throw new NotFoundInGalleryError(`person ${id}`);
    return person;
  }

  facesOf(personId: string): FaceRow[] {
    this.getPerson(personId);
    return this.store.facesOf(personId);
  }

  updatePerson(id: string, changes: { name?: string; notes?: string | null }): PersonRow {
    const person = this.store.updatePerson(id, changes);
    if (!person) throw new NotFoundInGalleryError(`person ${id}`);
    return person;
  }

  deletePerson(id: string): void {
    const faceIds = this.store.deletePerson(id);
    if (!faceIds) throw new NotFoundInGalleryError(`person ${id}`);
    for (const faceId of faceIds) this.forgetKnownFace(faceId);
    this.recenter();
  }

  /**
   * Enrolls one embedding for a person. The same image (by hash) enrolled twice for one person is
   * stored once: the existing face is returned with `duplicate: true`.
   */
  enroll(personId: string, embedding: Float32Array, imageHash: string, quality: number): { face: FaceRow; duplicate: boolean } {
    this.getPerson(personId);
    this.checkDim(embedding);
    const existing = this.store.findFaceByHash(personId, imageHash);
    if (existing) return { face: existing, duplicate: true };
    const face = this.store.addFace(personId, embedding, imageHash, quality, this.options.model);
    this.holdKnownFace(face.id, personId, embedding);
    this.recenter();
    return { face, duplicate: false };
  }

  deleteFace(personId: string, faceId: number): void {
    const face = this.store.getFace(faceId);
    if (!face || face.personId !== personId) throw new NotFoundInGalleryError(`face ${faceId} of person ${personId}`);
    this.store.deleteFace(faceId);
    this.forgetKnownFace(faceId);
    this.recenter();
  }

  // --- matching -----------------------------------------------------------------------------

  /** People ranked by similarity to `embedding` (best first), from the index's best candidates. */
  rankPeople(embedding: Float32Array): OwnerMatch[] {
    if (!this.known || this.known.size === 0) return [];
    this.checkDim(embedding);
    const candidates = this.known.search(this.project(embedding), this.poolSize());
    return rankOwners(
      candidates.map((c) => ({ ownerId: this.knownFaces.get(c.key)!.ownerId, score: c.score })),
      this.options.aggregate,
      this.options.topK,
    );
  }

  /** Who this face is, without side effects (REST recognize). */
  recognize(embedding: Float32Array): { person?: PersonRow; similarity: number } {
    const [best] = this.rankPeople(embedding);
    if (!best) return { similarity: 0 };
    if (best.similarity < this.thresholds().upper) return { similarity: best.similarity };
    return { person: this.store.getPerson(best.ownerId), similarity: best.similarity };
  }

  /**
   * Identifies one face on its own (no track pooling): a known person at or above the threshold, a
   * returning unknown, or a new unknown (stored). Synchronous on purpose.
   */
  identify(embedding: Float32Array, sighting: Sighting): Identification {
    this.checkDim(embedding);
    const known = this.rankPeople(embedding);
    const decision: Decision = decideIdentity(known, [], this.thresholds().upper);
    if (decision.kind === 'known') {
      const person = this.store.getPerson(decision.personId);
      if (person) return { known: true, personId: person.id, name: person.name, similarity: decision.similarity };
    }
    return this.matchUnknown(embedding, sighting, known[0]);
  }

  /**
   * A face decided unknown: the same stranger as a stored unknown at or above the threshold, else a
   * new unknown. Its embedding and crop are stored either way (bounded per unknown).
   */
  matchUnknown(embedding: Float32Array, sighting: Sighting, nearestKnown?: OwnerMatch): Extract<Identification, { known: false }> {
    this.checkDim(embedding);
    const bestKnown = nearestKnown ? { personId: nearestKnown.ownerId, similarity: nearestKnown.similarity } : undefined;
    const decision = decideIdentity([], this.rankUnknowns(embedding), this.thresholds().upper);
    if (decision.kind === 'unknown-seen') {
      const sightings = this.addUnknownSighting(decision.unknownId, embedding, sighting);
      return { known: false, unknownId: decision.unknownId, isNew: false, similarity: decision.similarity, sightings, bestKnown };
    }
    const created = this.store.createUnknown(sighting.cameraId, sighting.capturedAt);
    this.storeUnknownFace(created.id, embedding, sighting);
    return { known: false, unknownId: created.id, isNew: true, similarity: bestKnown?.similarity ?? 0, sightings: 1, bestKnown };
  }

  /** The stored unknown most like this face, if any (for merging a false reject into the person it was). */
  nearestUnknown(embedding: Float32Array): OwnerMatch | undefined {
    this.checkDim(embedding);
    return this.rankUnknowns(embedding)[0];
  }

  /** One more sighting (and face) of a stored unknown; returns its sightings count. */
  addUnknownSighting(unknownId: string, embedding: Float32Array, sighting: Sighting): number {
    this.getUnknown(unknownId);
    this.store.recordSighting(unknownId, sighting.cameraId, sighting.capturedAt);
    this.storeUnknownFace(unknownId, embedding, sighting);
    return this.store.getUnknown(unknownId)?.sightings ?? 1;
  }

  /** The unknown was an enrolled person after all: its faces become theirs (embeddings kept), the unknown is gone. */
  mergeUnknownInto(unknownId: string, personId: string): { faces: number } {
    this.getPerson(personId);
    const result = this.store.mergeUnknownInto(unknownId, personId);
    if (!result) throw new NotFoundInGalleryError(`unknown ${unknownId}`);
    this.moveToKnown(result, personId);
    return { faces: result.faces.length };
  }

  // --- unknowns -----------------------------------------------------------------------------

  listUnknowns(limit?: number, offset?: number): UnknownRow[] {
    return this.store.listUnknowns(limit, offset);
  }

  getUnknown(id: string): UnknownRow {
    const row = this.store.getUnknown(id);
    if (!row) throw new NotFoundInGalleryError(`unknown ${id}`);
    return row;
  }

  unknownCrop(id: string): Buffer {
    this.getUnknown(id);
    const crop = this.store.unknownCrop(id);
    if (!crop) throw new NotFoundInGalleryError(`crop of unknown ${id}`);
    return crop;
  }

  deleteUnknown(id: string): void {
    const faceIds = this.store.deleteUnknown(id);
    if (!faceIds) throw new NotFoundInGalleryError(`unknown ${id}`);
    for (const faceId of faceIds) this.forgetUnknownFace(faceId);
  }

  /** Forgets strangers not seen since `cutoff` (epoch ms); returns how many. */
  forgetUnknownsSeenBefore(cutoff: number): number {
    const { unknowns, faceIds } = this.store.deleteUnknownsSeenBefore(cutoff);
    for (const faceId of faceIds) this.forgetUnknownFace(faceId);
    return unknowns;
  }

  /** Names an unknown: its faces become the new person's enrolled faces. */
  promoteUnknown(id: string, name: string, notes?: string | null): PersonRow {
    const result = this.store.promoteUnknown(id, { id: randomUUID(), name, notes: notes ?? null });
    if (!result) throw new NotFoundInGalleryError(`unknown ${id}`);
    this.moveToKnown(result, result.person.id);
    return result.person;
  }

  private moveToKnown(result: { faces: { id: number; embedding: Float32Array }[]; removedUnknownFaceIds: number[] }, personId: string): void {
    for (const faceId of result.removedUnknownFaceIds) this.forgetUnknownFace(faceId);
    for (const face of result.faces) {
      if (this.dim !== undefined && face.embedding.length !== this.dim) continue;
      this.holdKnownFace(face.id, personId, face.embedding);
    }
    this.recenter();
  }

  // --- internals ----------------------------------------------------------------------------

  private rankUnknowns(embedding: Float32Array): OwnerMatch[] {
    if (!this.unknown || this.unknown.size === 0) return [];
    const candidates = this.unknown.search(this.project(embedding), this.poolSize());
    return rankOwners(
      candidates.map((c) => ({ ownerId: this.unknownFaces.get(c.key)!.ownerId, score: c.score })),
      this.options.aggregate,
      this.options.topK,
    );
  }

  private storeUnknownFace(unknownId: string, embedding: Float32Array, sighting: Sighting): void {
    const faceId = this.store.addUnknownFace(unknownId, {
      embedding,
      model: this.options.model,
      crop: sighting.crop,
      cameraId: sighting.cameraId,
      trackId: sighting.trackId,
      capturedAt: sighting.capturedAt,
      quality: sighting.quality,
    });
    this.dim ??= embedding.length;
    this.unknownFaces.set(faceId, { ownerId: unknownId, raw: embedding });
    this.unknownIndex(embedding.length).add(faceId, this.project(embedding));
    for (const removed of this.store.pruneUnknownFaces(unknownId, this.options.unknownFacesPerIdentity)) this.forgetUnknownFace(removed);
  }

  private holdKnownFace(faceId: number, ownerId: string, raw: Float32Array): void {
    this.dim ??= raw.length;
    this.knownFaces.set(faceId, { ownerId, raw });
    // Without centering the projection never changes: add in place; with it, `recenter` rebuilds.
    if (this.centering === 'none') this.knownIndex(raw.length).add(faceId, this.project(raw));
  }

  private forgetKnownFace(faceId: number): void {
    this.known?.remove(faceId);
    this.knownFaces.delete(faceId);
  }

  private forgetUnknownFace(faceId: number): void {
    this.unknown?.remove(faceId);
    this.unknownFaces.delete(faceId);
  }

  private get centering(): Centering {
    return this.options.centering ?? 'none';
  }

  /** The vector the indexes compare: the embedding minus the gallery's mean face (when centering), unit length. */
  project(embedding: ArrayLike<number>): Float32Array {
    return projectEmbedding(embedding, this.center);
  }

  /** The gallery's mean face changes with the enrolled people: recompute it and rebuild both indexes. */
  private recenter(): void {
    if (this.centering !== 'none') this.rebuild();
  }

  /** Refills both indexes from the held raw vectors, with the current mean face. O(faces x dim). */
  private rebuild(): void {
    if (this.centering === 'gallery') {
      const byPerson = new Map<string, Float32Array[]>();
      for (const { ownerId, raw } of this.knownFaces.values()) {
        const list = byPerson.get(ownerId);
        if (list) list.push(raw);
        else byPerson.set(ownerId, [raw]);
      }
      this.center = galleryCenter(byPerson.values());
    } else {
      this.center = undefined;
    }
    this.known = undefined;
    this.unknown = undefined;
    for (const [faceId, face] of this.knownFaces) this.knownIndex(face.raw.length).add(faceId, this.project(face.raw));
    for (const [faceId, face] of this.unknownFaces) this.unknownIndex(face.raw.length).add(faceId, this.project(face.raw));
  }

  private poolSize(): number {
    return Math.max(this.options.rerankCandidates, this.options.topK * 4, 8);
  }

  private checkDim(embedding: Float32Array): void {
    if (this.dim !== undefined && embedding.length !== this.dim) {
      throw new Error(`embedding has ${embedding.length} values but the gallery holds ${this.dim}-d vectors (model changed? re-enroll)`);
    }
  }

  private knownIndex(dim: number): VectorIndex {
    this.dim ??= dim;
    this.known ??= new VectorIndex(dim, { mode: this.options.matcher, rerank: this.options.rerankCandidates, initialCapacity: 256 });
    return this.known;
  }

  private unknownIndex(dim: number): VectorIndex {
    this.dim ??= dim;
    this.unknown ??= new VectorIndex(dim, { mode: this.options.matcher, rerank: this.options.rerankCandidates, initialCapacity: 256 });
    return this.unknown;
  }
}
