import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations';

export interface PersonRow {
  id: string;
  name: string;
  notes: string | null;
  createdAt: number;
  updatedAt: number;
  faceCount: number;
}

export interface FaceRow {
  id: number;
  personId: string;
  imageHash: string;
  quality: number;
  model: string;
  createdAt: number;
}

export interface StoredEmbedding {
  id: number;
  ownerId: string;
  model: string;
  embedding: Float32Array;
}

export interface UnknownRow {
  id: string;
  seq: number;
  firstSeen: number;
  lastSeen: number;
  sightings: number;
  lastCamera: string;
  faceCount: number;
}

export interface UnknownFaceInput {
  embedding: Float32Array;
  model: string;
  crop?: Uint8Array;
  cameraId: string;
  trackId?: number;
  capturedAt: number;
  quality: number;
}

const UNKNOWN_PREFIX = 'unknown-';

export function unknownIdOf(seq: number): string {
  return `${UNKNOWN_PREFIX}${seq}`;
}

/** The sequence number of an unknown id (`unknown-7` -> 7), or undefined when it is not one. */
export function unknownSeqOf(id: string): number | undefined {
  if (!id.startsWith(UNKNOWN_PREFIX)) return undefined;
  const seq = Number(id.slice(UNKNOWN_PREFIX.length));
  return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

function toBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

function fromBlob(blob: Buffer): Float32Array {
  // Copy: the blob's memory may be unaligned and is owned by SQLite's result.
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

type Row = Record<string, unknown>;

/**
 * The gallery in SQLite (better-sqlite3, WAL): people, their enrolled face embeddings (float32 BLOBs),
 * and unknown identities with their faces and crops. Synchronous by design (better-sqlite3); every
 * write is one short statement or transaction.
 */
export class GalleryStore {
  readonly db: Database.Database;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
    migrate(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  // --- people -------------------------------------------------------------------------------

  createPerson(id: string, name: string, notes: string | null, now = Date.now()): PersonRow {
    this.db.prepare('INSERT INTO people (id, name, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, name, notes, now, now);
    return this.getPerson(id)!;
  }

  listPeople(): PersonRow[] {
    const rows = this.db
      .prepare(
        `SELECT p.*, (SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id) AS face_count
         FROM people p ORDER BY p.created_at, p.id`,
      )
      .all() as Row[];
    return rows.map(toPerson);
  }

  getPerson(id: string): PersonRow | undefined {
    const row = this.db
      .prepare(`SELECT p.*, (SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id) AS face_count FROM people p WHERE p.id = ?`)
      .get(id) as Row | undefined;
    return row ? toPerson(row) : undefined;
  }

  updatePerson(id: string, changes: { name?: string; notes?: string | null }, now = Date.now()): PersonRow | undefined {
    const person = this.getPerson(id);
    if (!person) return undefined;
    this.db
      .prepare('UPDATE people SET name = ?, notes = ?, updated_at = ? WHERE id = ?')
      .run(changes.name ?? person.name, changes.notes === undefined ? person.notes : changes.notes, now, id);
    return this.getPerson(id);
  }

  /** Deletes a person and their faces; returns the face ids removed, or undefined when absent. */
  deletePerson(id: string): number[] | undefined {
    return this.db.transaction(() => {
      if (!this.getPerson(id)) return undefined;
      const faceIds = (this.db.prepare('SELECT id FROM faces WHERE person_id = ?').all(id) as { id: number }[]).map((r) => r.id);
      this.db.prepare('DELETE FROM people WHERE id = ?').run(id);
      return faceIds;
    })();
  }

  // --- enrolled faces -------------------------------------------------------------------------

  addFace(personId: string, embedding: Float32Array, imageHash: string, quality: number, model: string, now = Date.now()): FaceRow {
    const result = this.db
      .prepare('INSERT INTO faces (person_id, embedding, image_hash, quality, model, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(personId, toBlob(embedding), imageHash, quality, model, now);
    return this.getFace(Number(result.lastInsertRowid))!;
  }

  findFaceByHash(personId: string, imageHash: string): FaceRow | undefined {
    const row = this.db.prepare('SELECT * FROM faces WHERE person_id = ? AND image_hash = ?').get(personId, imageHash) as Row | undefined;
    return row ? toFace(row) : undefined;
  }

  getFace(id: number): FaceRow | undefined {
    const row = this.db.prepare('SELECT * FROM faces WHERE id = ?').get(id) as Row | undefined;
    return row ? toFace(row) : undefined;
  }

  facesOf(personId: string): FaceRow[] {
    return (this.db.prepare('SELECT * FROM faces WHERE person_id = ? ORDER BY id').all(personId) as Row[]).map(toFace);
  }

  deleteFace(id: number): boolean {
    return this.db.prepare('DELETE FROM faces WHERE id = ?').run(id).changes > 0;
  }

  /** Every enrolled embedding (for loading the matcher at boot). */
  allFaceEmbeddings(): StoredEmbedding[] {
    return (this.db.prepare('SELECT id, person_id, model, embedding FROM faces ORDER BY id').all() as Row[]).map((r) => ({
      id: r.id as number,
      ownerId: r.person_id as string,
      model: r.model as string,
      embedding: fromBlob(r.embedding as Buffer),
    }));
  }

  // --- unknown identities ---------------------------------------------------------------------

  createUnknown(cameraId: string, seenAt: number): UnknownRow {
    const result = this.db
      .prepare('INSERT INTO unknowns (first_seen, last_seen, sightings, last_camera) VALUES (?, ?, 1, ?)')
      .run(seenAt, seenAt, cameraId);
    return this.getUnknown(unknownIdOf(Number(result.lastInsertRowid)))!;
  }

  recordSighting(unknownId: string, cameraId: string, seenAt: number): void {
    const seq = unknownSeqOf(unknownId);
    if (seq === undefined) return;
    this.db
      .prepare('UPDATE unknowns SET sightings = sightings + 1, last_seen = MAX(last_seen, ?), last_camera = ? WHERE seq = ?')
      .run(seenAt, cameraId, seq);
  }

  addUnknownFace(unknownId: string, face: UnknownFaceInput, now = Date.now()): number {
    const seq = unknownSeqOf(unknownId);
    if (seq === undefined) throw new Error(`${unknownId} is not an unknown id`);
    const result = this.db
      .prepare(
        `INSERT INTO unknown_faces (unknown_seq, embedding, model, crop, camera_id, track_id, captured_at, quality, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(seq, toBlob(face.embedding), face.model, face.crop ? Buffer.from(face.crop) : null, face.cameraId, face.trackId ?? null, face.capturedAt, face.quality, now);
    return Number(result.lastInsertRowid);
  }

  /** Deletes the lowest-quality (then oldest) faces of an unknown beyond `keep`; returns their ids. */
  pruneUnknownFaces(unknownId: string, keep: number): number[] {
    const seq = unknownSeqOf(unknownId);
    if (seq === undefined) return [];
    const extra = this.db
      .prepare('SELECT id FROM unknown_faces WHERE unknown_seq = ? ORDER BY quality DESC, id DESC LIMIT -1 OFFSET ?')
      .all(seq, keep) as { id: number }[];
    const remove = this.db.prepare('DELETE FROM unknown_faces WHERE id = ?');
    this.db.transaction(() => extra.forEach((r) => remove.run(r.id)))();
    return extra.map((r) => r.id);
  }

  getUnknown(id: string): UnknownRow | undefined {
    const seq = unknownSeqOf(id);
    if (seq === undefined) return undefined;
    const row = this.db
      .prepare('SELECT u.*, (SELECT COUNT(*) FROM unknown_faces f WHERE f.unknown_seq = u.seq) AS face_count FROM unknowns u WHERE u.seq = ?')
      .get(seq) as Row | undefined;
    return row ? toUnknown(row) : undefined;
  }

  listUnknowns(limit = 100, offset = 0): UnknownRow[] {
    return (
      this.db
        .prepare(
          `SELECT u.*, (SELECT COUNT(*) FROM unknown_faces f WHERE f.unknown_seq = u.seq) AS face_count
           FROM unknowns u ORDER BY u.last_seen DESC, u.seq DESC LIMIT ? OFFSET ?`,
        )
        .all(limit, offset) as Row[]
    ).map(toUnknown);
  }

  /** The best (highest quality, then latest) crop of an unknown. */
  unknownCrop(id: string): Buffer | undefined {
    const seq = unknownSeqOf(id);
    if (seq === undefined) return undefined;
    const row = this.db
      .prepare('SELECT crop FROM unknown_faces WHERE unknown_seq = ? AND crop IS NOT NULL ORDER BY quality DESC, id DESC LIMIT 1')
      .get(seq) as { crop: Buffer } | undefined;
    return row?.crop;
  }

  allUnknownEmbeddings(): StoredEmbedding[] {
    return (this.db.prepare('SELECT id, unknown_seq, model, embedding FROM unknown_faces ORDER BY id').all() as Row[]).map((r) => ({
      id: r.id as number,
      ownerId: unknownIdOf(r.unknown_seq as number),
      model: r.model as string,
      embedding: fromBlob(r.embedding as Buffer),
    }));
  }

  /** Deletes an unknown and its faces; returns the face ids removed, or undefined when absent. */
  deleteUnknown(id: string): number[] | undefined {
    const seq = unknownSeqOf(id);
    if (seq === undefined) return undefined;
    return this.db.transaction(() => {
      if (!this.getUnknown(id)) return undefined;
      const faceIds = (this.db.prepare('SELECT id FROM unknown_faces WHERE unknown_seq = ?').all(seq) as { id: number }[]).map((r) => r.id);
      this.db.prepare('DELETE FROM unknowns WHERE seq = ?').run(seq);
      return faceIds;
    })();
  }

  /** Deletes unknowns last seen before `cutoff` (epoch ms) with their faces; returns the face ids removed. */
  deleteUnknownsSeenBefore(cutoff: number): { unknowns: number; faceIds: number[] } {
    return this.db.transaction(() => {
      const faceIds = (
        this.db.prepare('SELECT f.id FROM unknown_faces f JOIN unknowns u ON u.seq = f.unknown_seq WHERE u.last_seen < ?').all(cutoff) as { id: number }[]
      ).map((r) => r.id);
      const unknowns = this.db.prepare('DELETE FROM unknowns WHERE last_seen < ?').run(cutoff).changes;
      return { unknowns, faceIds };
    })();
  }

  /**
   * Turns an unknown into a named person in one transaction: the person is created, the unknown's
   * faces become the person's enrolled faces, the unknown is deleted. Returns the new person, the
   * enrolled faces (new ids) and the removed unknown face ids; undefined when the unknown is absent.
   */
  promoteUnknown(
    unknownId: string,
    person: { id: string; name: string; notes: string | null },
    now = Date.now(),
  ): { person: PersonRow; faces: { id: number; embedding: Float32Array }[]; removedUnknownFaceIds: number[] } | undefined {
    return this.db.transaction(() => {
      if (!this.getUnknown(unknownId)) return undefined;
      const created = this.createPerson(person.id, person.name, person.notes, now);
      const moved = this.mergeUnknownInto(unknownId, created.id, now)!;
      return { person: this.getPerson(created.id)!, ...moved };
    })();
  }

  /**
   * Moves an unknown's stored faces (embeddings kept) to an existing person's enrolled faces and
   * forgets the unknown. Undefined when either does not exist.
   */
  mergeUnknownInto(
    unknownId: string,
    personId: string,
    now = Date.now(),
  ): { faces: { id: number; embedding: Float32Array }[]; removedUnknownFaceIds: number[] } | undefined {
    const seq = unknownSeqOf(unknownId);
    if (seq === undefined) return undefined;
    return this.db.transaction(() => {
      if (!this.getUnknown(unknownId) || !this.getPerson(personId)) return undefined;
      const unknownFaces = this.db.prepare('SELECT id, embedding, model, quality FROM unknown_faces WHERE unknown_seq = ? ORDER BY id').all(seq) as Row[];
      const faces = unknownFaces.map((f) => {
        const embedding = fromBlob(f.embedding as Buffer);
        const hash = `unknown-face-${f.id as number}`;
        const row = this.findFaceByHash(personId, hash) ?? this.addFace(personId, embedding, hash, f.quality as number, f.model as string, now);
        return { id: row.id, embedding };
      });
      this.db.prepare('DELETE FROM unknowns WHERE seq = ?').run(seq);
      return { faces, removedUnknownFaceIds: unknownFaces.map((f) => f.id as number) };
    })();
  }

  counts(): { people: number; faces: number; unknowns: number; unknownFaces: number } {
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return {
      people: one('SELECT COUNT(*) AS n FROM people'),
      faces: one('SELECT COUNT(*) AS n FROM faces'),
      unknowns: one('SELECT COUNT(*) AS n FROM unknowns'),
      unknownFaces: one('SELECT COUNT(*) AS n FROM unknown_faces'),
    };
  }
}

function toPerson(r: Row): PersonRow {
  return {
    id: r.id as string,
    name: r.name as string,
    notes: (r.notes as string | null) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    faceCount: r.face_count as number,
  };
}

function toFace(r: Row): FaceRow {
  return {
    id: r.id as number,
    personId: r.person_id as string,
    imageHash: r.image_hash as string,
    quality: r.quality as number,
    model: r.model as string,
    createdAt: r.created_at as number,
  };
}

function toUnknown(r: Row): UnknownRow {
  return {
    id: unknownIdOf(r.seq as number),
    seq: r.seq as number,
    firstSeen: r.first_seen as number,
    lastSeen: r.last_seen as number,
    sightings: r.sightings as number,
    lastCamera: r.last_camera as string,
    faceCount: r.face_count as number,
  };
}
