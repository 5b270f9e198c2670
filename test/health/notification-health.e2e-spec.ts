import { rmSync } from 'node:fs';
import { NotificationService } from '@sentinel/notification';
import { NotificationHarness, bootNotification, makeAlert, tempDataDir, waitUntil } from '../notification/support';

/** The service behind the link handler the test calls (the one whose store the handler writes to). */
const serviceOf = (harness: NotificationHarness) => (harness.link as unknown as { notifications: NotificationService }).notifications;
/** The store's SQLite connection (private to EventStore): the test makes SQLite itself refuse writes. */
const sqliteOf = (harness: NotificationHarness) => (serviceOf(harness).store as unknown as { db: { exec(sql: string): unknown } }).db;

describe('notification health reads the database and the channels', () => {
  let harness: NotificationHarness;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDataDir();
    // A webhook to a port nobody listens on: a failing channel degrades the tier, it does not make it unready.
    harness = await bootNotification(dataDir, ['notification.webhook.enabled=true', 'notification.webhook.urls=[http://127.0.0.1:9/hook]', 'notification.retry.initialDelayMs=20', 'notification.retry.maxDelayMs=50']);
  });

  afterAll(async () => {
    await harness?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('store: up while open and writing; down when a write is refused; up after the next good write; down once closed', async () => {
    expect(await harness.health.check('notification.store')).toMatchObject({ status: 'up' });
    await harness.link.handleAlert(makeAlert({ id: 'before' }));
    expect(await harness.health.check('notification.store')).toMatchObject({ status: 'up', lastWriteAt: expect.any(Number) });

    // SQLite itself refuses every new event, on any connection to the file (a trigger in the database).
    sqliteOf(harness).exec("CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database (refused by the test)'); END");
    // Matched by shape, not with toThrow: better-sqlite3 registers its error class with the native addon
    // once per process, so in a Jest worker that ran another file first the SqliteError comes from that
    // file's realm and is no `instanceof Error` here (why this step once failed only in full runs).
    await expect(harness.link.handleAlert(makeAlert({ id: 'refused' }))).rejects.toMatchObject({ message: expect.stringMatching(/readonly/) });
    expect(await harness.health.check('notification.store')).toMatchObject({ status: 'down', reason: expect.stringMatching(/^last write failed: .*readonly/) });
    const report = await harness.health.report();
    expect(report.ready).toBe(false);
    expect(report.reasons).toContainEqual(expect.stringMatching(/^notification.store: last write failed/));

    sqliteOf(harness).exec('DROP TRIGGER refuse_events');
    await harness.link.handleAlert(makeAlert({ id: 'after' }));
    expect(await harness.health.check('notification.store')).toMatchObject({ status: 'up' });

    // The webhook target never answers: that channel is down, the tier degraded but ready.
    await waitUntil(async () => (await harness.health.check('notification.webhook')).status === 'down', 10_000, 'a failed webhook attempt');
    const degraded = await harness.health.report();
    expect(degraded).toMatchObject({ ready: true, status: 'degraded' });
    expect(degraded.reasons).toContainEqual(expect.stringMatching(/^notification.webhook: failing: http:\/\/127.0.0.1:9\/hook/));

    serviceOf(harness).store.close();
    expect(await harness.health.check('notification.store')).toMatchObject({ status: 'down', reason: 'database closed' });
    expect((await harness.health.report()).ready).toBe(false);
  });
});
