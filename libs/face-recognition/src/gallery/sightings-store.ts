import type { Database } from 'better-sqlite3';

export const SightingDecisions = ['named', 'unknown', 'undecided'] as const;
export type SightingDecision = (typeof SightingDecisions)[number];

/** One identity decision of the cloud about one face of a track. */
export interface SightingRecord {
  id: number;
  cameraId: string;
  trackId: number;
  capturedAt: number;
  decidedAt: number;
  decision: SightingDecision;
  /** Person id (named), unknown id (unknown), the nearest person (undecided), or null (empty gallery). */
  identityId: string | null;
  name: string | null;
  similarity: number;
  facesPooled: number;
  faceSize: number;
  faceQuality: number;
  /** Named after having been this unknown (merged). */
  mergedFrom: string | null;
}

export type NewSightingRecord = Omit<SightingRecord, 'id'>;

export interface SightingFilter {
  cameraId?: string;
  /** Person or unknown id. */
  identityId?: string;
  decision?: SightingDecision;
  /** capturedAt >= since (epoch ms). */
  since?: number;
  /** capturedAt < until (epoch ms). */
  until?: number;
  limit: number;
  offset: number;
}

type Row = Record<string, unknown>;

/**
 * The sightings table (in the gallery database): every decision, newest first on read. Bounded:
 * past `maxRows` the oldest are deleted (checked every 256 inserts).
 */
export class SightingsStore {
  private inserted = 0;

  constructor(
    private readonly db: Database,
    private readonly maxRows: number,
  ) {}

  add(s: NewSightingRecord): number {
    const result = this.db
      .prepare(
        `INSERT INTO sightings (camera_id, track_id, captured_at, decided_at, decision, identity_id, name, similarity, faces_pooled, face_size, face_quality, merged_from)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.cameraId, s.trackId, s.capturedAt, s.decidedAt, s.decision, s.identityId, s.name, s.similarity, s.facesPooled, s.faceSize, s.faceQuality, s.mergedFrom);
    if (++this.inserted % 256 === 0) this.prune();
    return Number(result.lastInsertRowid);
  }

  /** Matching sightings, newest capture first, and how many match in all. */
  list(filter: SightingFilter): { items: SightingRecord[]; total: number } {
    const conditions: [string, unknown][] = [
      ['camera_id = ?', filter.cameraId],
      ['identity_id = ?', filter.identityId],
      ['decision = ?', filter.decision],
      ['captured_at >= ?', filter.since],
      ['captured_at < ?', filter.until],
    ];
    const used = conditions.filter(([, value]) => value !== undefined);
    const where = used.map(([sql]) => sql);
    const args = used.map(([, value]) => value);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM sightings ${clause}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM sightings ${clause} ORDER BY captured_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...args, filter.limit, filter.offset) as Row[];
    return { items: rows.map(toSighting), total };
  }

  /** Deletes the oldest rows past `maxRows`; returns how many. */
  prune(): number {
    const count = (this.db.prepare('SELECT COUNT(*) AS n FROM sightings').get() as { n: number }).n;
    if (count <= this.maxRows) return 0;
    return this.db.prepare('DELETE FROM sightings WHERE id IN (SELECT id FROM sightings ORDER BY id ASC LIMIT ?)').run(count - this.maxRows).changes;
  }
}

function toSighting(r: Row): SightingRecord {
  return {
    id: r.id as number,
    cameraId: r.camera_id as string,
    trackId: r.track_id as number,
    capturedAt: r.captured_at as number,
    decidedAt: r.decided_at as number,
    decision: r.decision as SightingDecision,
    identityId: (r.identity_id as string | null) ?? null,
    name: (r.name as string | null) ?? null,
    similarity: r.similarity as number,
    facesPooled: r.faces_pooled as number,
    faceSize: r.face_size as number,
    faceQuality: r.face_quality as number,
    mergedFrom: (r.merged_from as string | null) ?? null,
  };
}
