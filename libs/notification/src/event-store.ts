import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Box } from '@sentinel/contracts';

/** `alert`: an alert (notified or grouped under one); `low`: a recorded identity sighting, never sent. */
export type EventPriority = 'alert' | 'low';

export interface NewEvent {
  id: string;
  kind: string;
  cameraId: string;
  priority: EventPriority;
  at: number;
  capturedAt: number;
  receivedAt: number;
  subject?: string;
  label?: string;
  trackId?: number;
  score?: number;
  boxes?: Box[];
  message?: string;
  details?: Record<string, unknown>;
  snapshot?: Uint8Array;
  /** Passed the cooldown (false: grouped under `groupId`). */
  notified: boolean;
  groupId: string;
}

export interface StoredEvent extends Omit<NewEvent, 'snapshot'> {
  seq: number;
  hasSnapshot: boolean;
}

export interface NewOutboxRow {
  alertId: string;
  /** Delivery target, e.g. `webhook:https://x/hook` or `mqtt`; one queue per target. */
  target: string;
  channel: string;
  cameraId: string;
  /** The exact bytes to send (retries resend them unchanged, so signatures stay valid). */
  body: string;
}

export interface OutboxRow extends NewOutboxRow {
  seq: number;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface DeadLetter {
  seq: number;
  alertId: string;
  target: string;
  channel: string;
  cameraId: string;
  attempts: number;
  reason: string;
  status: number | null;
  createdAt: number;
  deadAt: number;
}

export interface EventFilter {
  cameraId?: string;
  kind?: string;
  /** Inclusive bounds on `at`, epoch ms. */
  since?: number;
  until?: number;
  /** Only events with seq below this (the `nextCursor` of the previous page). */
  beforeSeq?: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** The columns of one delivery, the same in the outbox and in dead_letters (a dead letter is its outbox row moved). */
const DELIVERY_COLUMNS = `  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id TEXT NOT NULL,
  target TEXT NOT NULL,
  channel TEXT NOT NULL,
  camera_id TEXT NOT NULL,
  body TEXT NOT NULL,`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  camera_id TEXT NOT NULL,
  priority TEXT NOT NULL,
  at REAL NOT NULL,
  captured_at REAL NOT NULL,
  received_at INTEGER NOT NULL,
  subject TEXT, label TEXT, track_id INTEGER, score REAL,
  boxes TEXT, message TEXT, details TEXT,
  snapshot BLOB,
  notified INTEGER NOT NULL,
  group_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_camera ON events (camera_id, seq);
CREATE INDEX IF NOT EXISTS events_kind ON events (kind, seq);
CREATE INDEX IF NOT EXISTS events_received ON events (received_at);
CREATE TABLE IF NOT EXISTS outbox (
${DELIVERY_COLUMNS}
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  UNIQUE (alert_id, target)
);
CREATE INDEX IF NOT EXISTS outbox_head ON outbox (target, camera_id, seq);
CREATE TABLE IF NOT EXISTS dead_letters (
${DELIVERY_COLUMNS}
  attempts INTEGER NOT NULL,
  reason TEXT NOT NULL,
  status INTEGER,
  created_at INTEGER NOT NULL,
  dead_at INTEGER NOT NULL
);
`;

interface EventRow {
  seq: number;
  id: string;
  kind: string;
  camera_id: string;
  priority: EventPriority;
  at: number;
  captured_at: number;
  received_at: number;
  subject: string | null;
  label: string | null;
  track_id: number | null;
  score: number | null;
  boxes: string | null;
  message: string | null;
  details: string | null;
  has_snapshot: number;
  notified: number;
  group_id: string;
}

interface OutboxDbRow {
  seq: number;
  alert_id: string;
  target: string;
  channel: string;
  camera_id: string;
  body: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  last_error: string | null;
}

interface DeadLetterRow extends Omit<OutboxDbRow, 'next_attempt_at' | 'last_error'> {
  reason: string;
  status: number | null;
  dead_at: number;
}

const EVENT_COLUMNS =
  'seq, id, kind, camera_id, priority, at, captured_at, received_at, subject, label, track_id, score, boxes, message, details, ' +
  '(snapshot IS NOT NULL) AS has_snapshot, notified, group_id';

const undef = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function toEvent(row: EventRow): StoredEvent {
  return {
    seq: row.seq,
    id: row.id,
    kind: row.kind,
    cameraId: row.camera_id,
    priority: row.priority,
    at: row.at,
    capturedAt: row.captured_at,
    receivedAt: row.received_at,
    subject: undef(row.subject),
    label: undef(row.label),
    trackId: undef(row.track_id),
    score: undef(row.score),
    boxes: row.boxes ? (JSON.parse(row.boxes) as Box[]) : undefined,
    message: undef(row.message),
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : undefined,
    hasSnapshot: row.has_snapshot === 1,
    notified: row.notified === 1,
    groupId: row.group_id,
  };
}

/** The columns an outbox row and a dead letter share (a dead letter is an outbox row given up on). */
function deliveryOf(row: Omit<DeadLetterRow, 'reason' | 'status' | 'dead_at'>) {
  return { seq: row.seq, alertId: row.alert_id, target: row.target, channel: row.channel, cameraId: row.camera_id, attempts: row.attempts, createdAt: row.created_at };
}

function toOutboxRow(row: OutboxDbRow): OutboxRow {
  return { ...deliveryOf(row), body: row.body, nextAttemptAt: row.next_attempt_at, lastError: row.last_error };
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return { ...deliveryOf(row), reason: row.reason, status: row.status, deadAt: row.dead_at };
}

/** `WHERE a AND b` of the conditions whose value is defined, with their named parameters. */
function whereClause(conditions: Array<[sql: string, name: string, value: unknown]>, limit: number): { where: string; params: Record<string, unknown> } {
  const used = conditions.filter(([, , value]) => value !== undefined);
  const params: Record<string, unknown> = { limit };
  for (const [, name, value] of used) params[name] = value;
  return { where: used.length ? `WHERE ${used.map(([sql]) => sql).join(' AND ')}` : '', params };
}

function prepareStatements(db: Database.Database) {
  return {
    insertEvent: db.prepare(
      `INSERT OR IGNORE INTO events (id, kind, camera_id, priority, at, captured_at, received_at, subject, label, track_id, score, boxes, message, details, snapshot, notified, group_id)
       VALUES (@id, @kind, @cameraId, @priority, @at, @capturedAt, @receivedAt, @subject, @label, @trackId, @score, @boxes, @message, @details, @snapshot, @notified, @groupId)`,
    ),
    insertOutbox: db.prepare(
      `INSERT OR IGNORE INTO outbox (alert_id, target, channel, camera_id, body, attempts, created_at, next_attempt_at)
       VALUES (@alertId, @target, @channel, @cameraId, @body, 0, @now, @now)`,
    ),
    getEvent: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`),
    getSnapshot: db.prepare('SELECT snapshot FROM events WHERE id = ?'),
    dueHeads: db.prepare(
      `SELECT o.* FROM outbox o
       WHERE o.target = @target AND o.next_attempt_at <= @now
         AND o.seq = (SELECT MIN(h.seq) FROM outbox h WHERE h.target = o.target AND h.camera_id = o.camera_id)
       ORDER BY o.seq LIMIT @limit`,
    ),
    heads: db.prepare(
      `SELECT camera_id, MIN(seq) AS seq FROM outbox WHERE target = ? GROUP BY camera_id`,
    ),
    nextAttemptOf: db.prepare('SELECT next_attempt_at FROM outbox WHERE seq = ?'),
    deleteOutbox: db.prepare('DELETE FROM outbox WHERE seq = ?'),
    reschedule: db.prepare('UPDATE outbox SET attempts = @attempts, next_attempt_at = @nextAttemptAt, last_error = @lastError WHERE seq = @seq'),
    insertDead: db.prepare(
      `INSERT INTO dead_letters (alert_id, target, channel, camera_id, body, attempts, reason, status, created_at, dead_at)
       VALUES (@alertId, @target, @channel, @cameraId, @body, @attempts, @reason, @status, @createdAt, @deadAt)`,
    ),
    depthByTarget: db.prepare('SELECT target, COUNT(*) AS depth FROM outbox GROUP BY target'),
    getDead: db.prepare('SELECT * FROM dead_letters WHERE seq = ?'),
    deleteDead: db.prepare('DELETE FROM dead_letters WHERE seq = ?'),
    countDead: db.prepare('SELECT COUNT(*) AS n FROM dead_letters'),
    recentNotified: db.prepare(
      `SELECT camera_id, kind, subject, track_id, at, id FROM events WHERE notified = 1 AND at >= ? ORDER BY seq`,
    ),
    retainAge: db.prepare('DELETE FROM events WHERE received_at < ?'),
    retainCount: db.prepare('DELETE FROM events WHERE seq <= (SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET ?)'),
    retainDead: db.prepare('DELETE FROM dead_letters WHERE dead_at < ?'),
  };
}

/**
 * Events, the delivery outbox and dead letters in one SQLite file. An alert and its outbox rows are
 * written in one transaction, so an accepted alert is never lost nor half-queued. WAL with
 * synchronous=FULL: a committed alert survives a crash of the process and of the machine. Alerts are
 * rare (not per frame), so the synchronous driver's short blocking writes are acceptable.
 */
export class EventStore {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.statements = prepareStatements(this.db);
  }

  /**
   * Stores an event and queues its deliveries atomically. Returns false (and writes nothing) when an
   * event with this id exists: a producer's retry of an alert already accepted.
   */
  readonly accept = (event: NewEvent, deliveries: readonly NewOutboxRow[]): boolean =>
    this.db.transaction(() => {
      const inserted = this.statements.insertEvent.run({
        id: event.id,
        kind: event.kind,
        cameraId: event.cameraId,
        priority: event.priority,
        at: event.at,
        capturedAt: event.capturedAt,
        receivedAt: event.receivedAt,
        subject: event.subject ?? null,
        label: event.label ?? null,
        trackId: event.trackId ?? null,
        score: event.score ?? null,
        boxes: event.boxes ? JSON.stringify(event.boxes) : null,
        message: event.message ?? null,
        details: event.details ? JSON.stringify(event.details) : null,
        snapshot: event.snapshot?.length ? Buffer.from(event.snapshot.buffer, event.snapshot.byteOffset, event.snapshot.byteLength) : null,
        notified: event.notified ? 1 : 0,
        groupId: event.groupId,
      });
      if (inserted.changes === 0) return false;
      for (const delivery of deliveries) this.statements.insertOutbox.run({ ...delivery, now: event.receivedAt });
      return true;
    })();

  getEvent(id: string): StoredEvent | undefined {
    const row = this.statements.getEvent.get(id) as EventRow | undefined;
    return row ? toEvent(row) : undefined;
  }

  /** undefined: no such event; null: the event has no snapshot. */
  getSnapshot(id: string): Buffer | null | undefined {
    const row = this.statements.getSnapshot.get(id) as { snapshot: Buffer | null } | undefined;
    return row ? row.snapshot : undefined;
  }

  /** Newest first. */
  listEvents(filter: EventFilter): Page<StoredEvent> {
    const { where, params } = whereClause(
      [
        ['camera_id = @cameraId', 'cameraId', filter.cameraId],
        ['kind = @kind', 'kind', filter.kind],
        ['at >= @since', 'since', filter.since],
        ['at <= @until', 'until', filter.until],
        ['seq < @beforeSeq', 'beforeSeq', filter.beforeSeq],
      ],
      filter.limit + 1,
    );
    const sql = `SELECT ${EVENT_COLUMNS} FROM events ${where} ORDER BY seq DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as EventRow[];
    const items = rows.slice(0, filter.limit).map(toEvent);
    const more = rows.length > filter.limit;
    return { items, nextCursor: more && items.length ? String(items[items.length - 1].seq) : null };
  }

  /** The oldest pending row of each camera for `target` that is due, oldest first (per-camera order). */
  dueHeads(target: string, now: number, limit: number): OutboxRow[] {
    return (this.statements.dueHeads.all({ target, now, limit }) as OutboxDbRow[]).map(toOutboxRow);
  }

  /** Earliest next attempt among the camera heads of `target`, skipping cameras in `busy`; undefined when idle. */
  nextAttemptAt(target: string, busy: ReadonlySet<string>): number | undefined {
    let earliest: number | undefined;
    for (const head of this.statements.heads.all(target) as Array<{ camera_id: string; seq: number }>) {
      if (busy.has(head.camera_id)) continue;
      const row = this.statements.nextAttemptOf.get(head.seq) as { next_attempt_at: number };
      if (earliest === undefined || row.next_attempt_at < earliest) earliest = row.next_attempt_at;
    }
    return earliest;
  }

  markDelivered(seq: number): void {
    this.statements.deleteOutbox.run(seq);
  }

  reschedule(seq: number, attempts: number, nextAttemptAt: number, lastError: string): void {
    this.statements.reschedule.run({ seq, attempts, nextAttemptAt, lastError });
  }

  /** Moves an outbox row to the dead letters (its camera's queue moves on). */
  deadLetter(row: OutboxRow, attempts: number, reason: string, status: number | undefined, now: number): void {
    this.db.transaction(() => {
      this.statements.insertDead.run({
        alertId: row.alertId,
        target: row.target,
        channel: row.channel,
        cameraId: row.cameraId,
        body: row.body,
        attempts,
        reason,
        status: status ?? null,
        createdAt: row.createdAt,
        deadAt: now,
      });
      this.statements.deleteOutbox.run(row.seq);
    })();
  }

  outboxDepthByTarget(): Map<string, number> {
    return new Map((this.statements.depthByTarget.all() as Array<{ target: string; depth: number }>).map((r) => [r.target, r.depth]));
  }

  deadLetterCount(): number {
    return (this.statements.countDead.get() as { n: number }).n;
  }

  /** Newest first; `beforeSeq` pages like events. */
  listDeadLetters(filter: { target?: string; cameraId?: string; beforeSeq?: number; limit: number }): Page<DeadLetter> {
    const { where, params } = whereClause(
      [
        ['target = @target', 'target', filter.target],
        ['camera_id = @cameraId', 'cameraId', filter.cameraId],
        ['seq < @beforeSeq', 'beforeSeq', filter.beforeSeq],
      ],
      filter.limit + 1,
    );
    const sql = `SELECT * FROM dead_letters ${where} ORDER BY seq DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as DeadLetterRow[];
    const items = rows.slice(0, filter.limit).map(toDeadLetter);
    return { items, nextCursor: rows.length > filter.limit && items.length ? String(items[items.length - 1].seq) : null };
  }

  /** Puts a dead letter back at the end of its target's outbox (fresh attempts). Returns the row, or undefined. */
  requeueDeadLetter(seq: number, now: number): DeadLetter | undefined {
    return this.db.transaction(() => {
      const row = this.statements.getDead.get(seq) as (DeadLetterRow & { body: string }) | undefined;
      if (!row) return undefined;
      this.statements.deleteDead.run(seq);
      this.statements.insertOutbox.run({ alertId: row.alert_id, target: row.target, channel: row.channel, cameraId: row.camera_id, body: row.body, now });
      return toDeadLetter(row);
    })();
  }

  /** Notified events since `sinceAt` (by `at`), oldest first: rebuilds the cooldown after a restart. */
  notifiedSince(sinceAt: number): Array<{ id: string; cameraId: string; kind: string; subject?: string; trackId?: number; at: number }> {
    return (this.statements.recentNotified.all(sinceAt) as Array<{ id: string; camera_id: string; kind: string; subject: string | null; track_id: number | null; at: number }>).map(
      (r) => ({ id: r.id, cameraId: r.camera_id, kind: r.kind, subject: undef(r.subject), trackId: undef(r.track_id), at: r.at }),
    );
  }

  /** Deletes events received before `now - maxAgeMs` and all but the newest `maxEvents`; dead letters by age. */
  applyRetention(now: number, maxAgeMs: number, maxEvents: number): { events: number; deadLetters: number } {
    return this.db.transaction(() => {
      const byAge = this.statements.retainAge.run(now - maxAgeMs).changes;
      const byCount = this.statements.retainCount.run(maxEvents).changes;
      const dead = this.statements.retainDead.run(now - maxAgeMs).changes;
      return { events: byAge + byCount, deadLetters: dead };
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** False once the database is closed (shutdown, or a fatal error). */
  get open(): boolean {
    return this.db.open;
  }
}
