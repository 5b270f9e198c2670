import type { Database } from 'better-sqlite3';

/**
 * Ordered schema migrations. `PRAGMA user_version` records how many ran; each runs once, in its own
 * transaction. Never edit a released step: append a new one.
 */
export const MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'people and their enrolled face embeddings',
    sql: `
      CREATE TABLE people (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        notes       TEXT,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE TABLE faces (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        person_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        embedding   BLOB NOT NULL,
        image_hash  TEXT NOT NULL,
        quality     REAL NOT NULL,
        created_at  INTEGER NOT NULL,
        UNIQUE (person_id, image_hash)
      );
      CREATE INDEX faces_by_person ON faces(person_id);
    `,
  },
  {
    version: 2,
    description: 'embedding model per face; unknown identities with their faces and crops',
    sql: `
      ALTER TABLE faces ADD COLUMN model TEXT NOT NULL DEFAULT 'faceres';
      CREATE TABLE unknowns (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        first_seen   INTEGER NOT NULL,
        last_seen    INTEGER NOT NULL,
        sightings    INTEGER NOT NULL DEFAULT 1,
        last_camera  TEXT NOT NULL
      );
      CREATE TABLE unknown_faces (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        unknown_seq  INTEGER NOT NULL REFERENCES unknowns(seq) ON DELETE CASCADE,
        embedding    BLOB NOT NULL,
        model        TEXT NOT NULL,
        crop         BLOB,
        camera_id    TEXT NOT NULL,
        track_id     INTEGER,
        captured_at  INTEGER NOT NULL,
        quality      REAL NOT NULL,
        created_at   INTEGER NOT NULL
      );
      CREATE INDEX unknown_faces_by_unknown ON unknown_faces(unknown_seq);
    `,
  },
  {
    version: 3,
    description: 'every identity decision of the cloud (named, unknown, undecided): sightings',
    sql: `
      CREATE TABLE sightings (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        camera_id     TEXT NOT NULL,
        track_id      INTEGER NOT NULL,
        captured_at   INTEGER NOT NULL,
        decided_at    INTEGER NOT NULL,
        decision      TEXT NOT NULL CHECK (decision IN ('named', 'unknown', 'undecided')),
        identity_id   TEXT,
        name          TEXT,
        similarity    REAL NOT NULL,
        faces_pooled  INTEGER NOT NULL,
        face_size     REAL NOT NULL,
        face_quality  REAL NOT NULL,
        merged_from   TEXT
      );
      CREATE INDEX sightings_by_time ON sightings(captured_at, id);
      CREATE INDEX sightings_by_camera ON sightings(camera_id, captured_at);
      CREATE INDEX sightings_by_identity ON sightings(identity_id, captured_at);
    `,
  },
];

export const SCHEMA_VERSION_LATEST = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Runs the migrations the database has not seen yet; returns the versions applied. */
export function migrate(db: Database, migrations = MIGRATIONS): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new Error(`gallery database has schema version ${current}, newer than this build knows (${latest}); refusing to touch it`);
  }
  const applied: number[] = [];
  for (const step of migrations) {
    if (step.version <= current) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    })();
    applied.push(step.version);
  }
  return applied;
}
