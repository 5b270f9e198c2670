import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import sharp from 'sharp';
import request from 'supertest';
import { plainToInstance } from 'class-transformer';
import { DetectionsMessage, IdentityMessage, SCHEMA_VERSION } from '@sentinel/contracts';
import { EventStore, NotificationService } from '@sentinel/notification';
import { MetricsService } from '@sentinel/telemetry';
import { NotificationHarness, WebhookReceiver, bootNotification, makeAlert, tempDataDir, waitUntil } from './support';

describe('notification module (webhook, REST, cooldown, bad input)', () => {
  const receiver = new WebhookReceiver();
  let harness: NotificationHarness;
  let dataDir: string;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    await receiver.start();
    dataDir = tempDataDir();
    harness = await bootNotification(
      dataDir,
      [
        'notification.cooldownMs=10000',
        'notification.webhook.enabled=true',
        `notification.webhook.urls=[${receiver.url}]`,
        'notification.retry.initialDelayMs=50',
        'notification.retry.maxDelayMs=200',
        // camera-up only goes to the log; everything else to webhook and log.
        'notification.routes=[{kinds: [camera-up], channels: [log]}, {kinds: ["*"], channels: [webhook, log]}]',
      ],
      true,
    );
    http = request(harness.app.getHttpServer());
  });

  afterAll(async () => {
    await harness?.close();
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    receiver.answer = () => 200;
  });

  it('lets a scripted sequence through the cooldown exactly as expected', async () => {
    const t0 = Date.now();
    const script = [
      { id: 'cool-p1', cameraId: 'cool-1', subject: 'unknown-1', at: t0 }, // notified
      { id: 'cool-p2', cameraId: 'cool-1', subject: 'unknown-1', at: t0 + 2_000 }, // same person: grouped
      { id: 'cool-q1', cameraId: 'cool-1', subject: 'unknown-2', at: t0 + 3_000 }, // another person: notified
      { id: 'cool-t1', cameraId: 'cool-1', trackId: 4, at: t0 + 3_500 }, // no subject, track 4: notified
      { id: 'cool-t2', cameraId: 'cool-1', trackId: 4, at: t0 + 4_000 }, // same track: grouped
      { id: 'cool-r1', cameraId: 'cool-2', subject: 'unknown-1', at: t0 + 4_000 }, // another camera: notified
      { id: 'cool-p3', cameraId: 'cool-1', subject: 'unknown-1', at: t0 + 9_999 }, // still in p1's window: grouped
      { id: 'cool-p4', cameraId: 'cool-1', subject: 'unknown-1', at: t0 + 10_000 }, // window over: notified
      { id: 'cool-p5', cameraId: 'cool-1', subject: 'unknown-1', at: t0 + 12_000 }, // in p4's window: grouped
      { id: 'cool-d1', cameraId: 'cool-1', kind: 'camera-down', at: t0 + 13_000 }, // camera state: exempt by default
      { id: 'cool-u1', cameraId: 'cool-1', kind: 'camera-up', at: t0 + 13_500 },
      { id: 'cool-d2', cameraId: 'cool-1', kind: 'camera-down', at: t0 + 14_000 },
    ];
    const outcomes: string[] = [];
    for (const step of script) outcomes.push((await harness.link.handleAlert(makeAlert({ kind: 'intruder', ...step }))).outcome);
    expect(outcomes).toEqual(['notified', 'suppressed', 'notified', 'notified', 'suppressed', 'notified', 'suppressed', 'notified', 'suppressed', 'notified', 'notified', 'notified']);
    // camera-up goes to the log only (see routes), so the webhook sees the rest.
    const expected = ['cool-p1', 'cool-q1', 'cool-t1', 'cool-r1', 'cool-p4', 'cool-d1', 'cool-d2'];
    await waitUntil(() => receiver.delivered().filter((r) => r.key.startsWith('cool-')).length >= expected.length, 5_000, 'cooldown deliveries');
    // Give a wrongly queued alert a chance to show up: the outbox must be empty.
    await waitUntil(() => harness.stats.snapshot().outboxDepth === 0, 5_000, 'an empty outbox');
    expect(receiver.delivered().filter((r) => r.key.startsWith('cool-')).map((r) => r.key).sort()).toEqual([...expected].sort());
    // Every alert is an event; grouped ones point at the alert they were grouped under.
    const events = (await http.get('/events').query({ camera: 'cool-1', limit: 100 }).expect(200)).body.items as Array<{ id: string; notified: boolean; groupId: string }>;
    const byId = new Map(events.map((e) => [e.id, e]));
    expect(byId.get('cool-p2')).toMatchObject({ notified: false, groupId: 'cool-p1' });
    expect(byId.get('cool-p5')).toMatchObject({ notified: false, groupId: 'cool-p4' });
    expect(byId.get('cool-t2')).toMatchObject({ notified: false, groupId: 'cool-t1' });
    expect(byId.get('cool-p4')).toMatchObject({ notified: true, groupId: 'cool-p4' });
  });

  it('routes kinds to channels and writes one structured log line per alert', async () => {
    const lines: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation(function (this: Logger, message: unknown) {
      if ((this as unknown as { context?: string }).context === 'Alert') lines.push(String(message));
    });
    try {
      const up = await harness.link.handleAlert(makeAlert({ id: 'route-up-1', kind: 'camera-up', cameraId: 'route-cam' }));
      const down = await harness.link.handleAlert(makeAlert({ id: 'route-down-1', kind: 'camera-down', cameraId: 'route-cam', message: 'no frames for 10 s' }));
      expect(up.channels).toEqual(['log']);
      expect(down.channels).toEqual(['webhook', 'log']);
    } finally {
      spy.mockRestore();
    }
    expect(lines.map((l) => JSON.parse(l) as { id: string })).toEqual([
      expect.objectContaining({ id: 'route-up-1', kind: 'camera-up', cameraId: 'route-cam', snapshotUrl: null }),
      expect.objectContaining({ id: 'route-down-1', kind: 'camera-down', message: 'no frames for 10 s' }),
    ]);
    await waitUntil(() => receiver.delivered().some((r) => r.key === 'route-down-1'), 5_000, 'camera-down on the webhook');
    await waitUntil(() => harness.stats.snapshot().outboxDepth === 0, 5_000, 'an empty outbox');
    expect(receiver.requests.some((r) => r.key === 'route-up-1')).toBe(false);
  });

  it('dead-letters a 4xx answer with its reason, retries 408/429/5xx, and lets the camera queue move on', async () => {
    receiver.answer = (req, attempt) => {
      if (req.key === 'dl-gone') return 410;
      if (req.key === 'dl-busy') return attempt === 1 ? 429 : 200;
      if (req.key === 'dl-flaky') return attempt <= 2 ? 503 : 200;
      if (req.key === 'dl-slow') return attempt === 1 ? 408 : 200;
      return 200;
    };
    for (const id of ['dl-gone', 'dl-after', 'dl-busy', 'dl-flaky', 'dl-slow']) {
      await harness.link.handleAlert(makeAlert({ id, cameraId: 'dl-cam', subject: id }));
    }
    await waitUntil(() => ['dl-after', 'dl-busy', 'dl-flaky', 'dl-slow'].every((k) => receiver.delivered().some((r) => r.key === k)), 10_000, 'retried deliveries');
    expect(receiver.delivered().filter((r) => r.key.startsWith('dl-')).map((r) => r.key)).toEqual(['dl-after', 'dl-busy', 'dl-flaky', 'dl-slow']);
    expect(receiver.requests.filter((r) => r.key === 'dl-gone')).toHaveLength(1); // not retried

    const dead = (await http.get('/notifications/dead-letters').query({ camera: 'dl-cam' }).expect(200)).body;
    expect(dead.items).toEqual([
      expect.objectContaining({ alertId: 'dl-gone', channel: 'webhook', target: `webhook:${receiver.url}`, status: 410, attempts: 1, reason: 'HTTP 410: refused with 410' }),
    ]);
    expect(harness.stats.snapshot().deadLettered).toBeGreaterThanOrEqual(1);

    // After the receiver is fixed, an operator queues it again.
    receiver.answer = () => 200;
    await http.post(`/notifications/dead-letters/${dead.items[0].seq}/retry`).expect(204);
    await waitUntil(() => receiver.delivered().some((r) => r.key === 'dl-gone'), 5_000, 'the re-queued dead letter');
    expect((await http.get('/notifications/dead-letters').query({ camera: 'dl-cam' }).expect(200)).body.items).toEqual([]);
    await http.post('/notifications/dead-letters/999999/retry').expect(404);
    await http.post('/notifications/dead-letters/abc/retry').expect(400);
  });

  it('serves events, filters, pages and snapshots over REST', async () => {
    const jpeg = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg().toBuffer();
    const base = 1_700_000_000_000;
    for (let i = 0; i < 5; i++) {
      await harness.link.handleAlert(
        makeAlert({
          id: `rest-${i}`,
          cameraId: i % 2 ? 'rest-odd' : 'rest-even',
          kind: i === 4 ? 'suspicious-object' : 'intruder',
          subject: `s${i}`,
          at: base + i * 1_000,
          score: 0.5,
          boxes: [{ x: 1, y: 2, width: 3, height: 4 }],
          snapshot: i === 0 ? jpeg : undefined,
        }),
      );
    }
    const page1 = (await http.get('/events').query({ since: base, until: base + 10_000, limit: 2 }).expect(200)).body;
    expect(page1.items.map((e: { id: string }) => e.id)).toEqual(['rest-4', 'rest-3']);
    const page2 = (await http.get('/events').query({ since: base, until: base + 10_000, limit: 2, cursor: page1.nextCursor }).expect(200)).body;
    expect(page2.items.map((e: { id: string }) => e.id)).toEqual(['rest-2', 'rest-1']);
    const page3 = (await http.get('/events').query({ since: base, until: base + 10_000, limit: 2, cursor: page2.nextCursor }).expect(200)).body;
    expect(page3).toEqual({ items: [expect.objectContaining({ id: 'rest-0' })], nextCursor: null });

    const filtered = (await http.get('/events').query({ camera: 'rest-even', kind: 'intruder', since: new Date(base).toISOString() }).expect(200)).body;
    expect(filtered.items.map((e: { id: string }) => e.id)).toEqual(['rest-2', 'rest-0']);

    const one = (await http.get('/events/rest-0').expect(200)).body;
    expect(one).toEqual(
      expect.objectContaining({
        id: 'rest-0',
        kind: 'intruder',
        cameraId: 'rest-even',
        priority: 'alert',
        at: base,
        subject: 's0',
        score: 0.5,
        boxes: [{ x: 1, y: 2, width: 3, height: 4 }],
        notified: true,
        snapshotUrl: '/events/rest-0/snapshot.jpg',
      }),
    );
    const snapshot = await http.get('/events/rest-0/snapshot.jpg').buffer(true).expect(200);
    expect(snapshot.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.compare(snapshot.body as Buffer, jpeg)).toBe(0);
    // The webhook payload points at the snapshot instead of carrying the bytes.
    await waitUntil(() => receiver.delivered().some((r) => r.key === 'rest-0'), 5_000, 'rest-0 on the webhook');
    expect(receiver.delivered().find((r) => r.key === 'rest-0')!.body).toMatchObject({ v: SCHEMA_VERSION, snapshotUrl: '/events/rest-0/snapshot.jpg' });
    expect(receiver.delivered().find((r) => r.key === 'rest-0')!.raw).not.toContain('snapshot"');

    await http.get('/events/rest-1/snapshot.jpg').expect(404);
    await http.get('/events/nope-nope').expect(404);
    await http.get('/events/nope-nope/snapshot.jpg').expect(404);
    const bad = await http.get('/events').query({ limit: 0, since: 'yesterday', camera: 'bad camera', colour: 'red' }).expect(400);
    expect(String(bad.body.message)).toMatch(/limit|since|camera|colour/);
    await http.get('/events').query({ cursor: 'abc' }).expect(400);
  });

  it('documents the REST API in OpenAPI', () => {
    const document = SwaggerModule.createDocument(harness.app, new DocumentBuilder().setTitle('t').build());
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/events', '/events/{id}', '/events/{id}/snapshot.jpg', '/notifications/dead-letters', '/notifications/dead-letters/{seq}/retry', '/notifications/stats']),
    );
    const list = document.paths['/events'].get!;
    expect(list.parameters!.map((p) => ('name' in p ? p.name : ''))).toEqual(expect.arrayContaining(['camera', 'kind', 'since', 'until', 'limit', 'cursor']));
  });

  it('counts and refuses malformed messages, and keeps working', async () => {
    const before = harness.stats.snapshot().messagesInvalid;
    await expect(harness.link.handleAlert({ v: SCHEMA_VERSION, id: 'x', kind: 'Bad Kind', cameraId: 'cam 1' } as never)).rejects.toThrow();
    await expect(harness.link.handleIdentity({ nonsense: true } as never)).rejects.toThrow();
    await expect(harness.link.handleDetections('not an object' as never)).rejects.toThrow();
    expect(harness.stats.snapshot().messagesInvalid).toBe(before + 3);
    // A plain (not yet transformed) but valid message, as a JSON transport delivers it, is accepted.
    const plain = { v: SCHEMA_VERSION, id: 'plain-valid-1', kind: 'intruder', cameraId: 'plain', capturedAt: Date.now(), at: Date.now() };
    expect((await harness.link.handleAlert(plain as never)).outcome).toBe('notified');
  });

  it('acknowledges a repeated alert id without storing or sending it twice', async () => {
    const alert = makeAlert({ id: 'dup-1', cameraId: 'dup-cam' });
    expect((await harness.link.handleAlert(alert)).outcome).toBe('notified');
    expect((await harness.link.handleAlert(alert)).outcome).toBe('duplicate');
    await waitUntil(() => receiver.delivered().some((r) => r.key === 'dup-1'), 5_000, 'dup-1');
    await waitUntil(() => harness.stats.snapshot().outboxDepth === 0, 5_000, 'an empty outbox');
    expect(receiver.requests.filter((r) => r.key === 'dup-1')).toHaveLength(1);
    expect(harness.stats.snapshot().alertsDuplicate).toBeGreaterThanOrEqual(1);
  });

  it('records identities as low-priority events (once per window) and counts detections', async () => {
    const identity = (trackId: number) =>
      plainToInstance(IdentityMessage, { v: SCHEMA_VERSION, cameraId: 'id-cam', capturedAt: Date.now(), trackId, known: false, identityId: 'unknown-42', similarity: 0.31 });
    expect((await harness.link.handleIdentity(identity(1))).recorded).toBe(true);
    expect((await harness.link.handleIdentity(identity(2))).recorded).toBe(false); // same identity, same window
    const events = (await http.get('/events').query({ camera: 'id-cam', kind: 'identity' }).expect(200)).body.items;
    expect(events).toEqual([expect.objectContaining({ kind: 'identity', priority: 'low', subject: 'unknown-42', trackId: 1, notified: false, details: { known: false } })]);
    expect(receiver.requests.some((r) => r.body.cameraId === 'id-cam')).toBe(false);

    const detections = plainToInstance(DetectionsMessage, {
      v: SCHEMA_VERSION,
      cameraId: 'det-cam',
      capturedAt: Date.now(),
      seq: 1,
      width: 640,
      height: 480,
      detections: [
        { classId: 0, label: 'person', score: 0.9, box: { x: 1, y: 1, width: 10, height: 20 }, trackId: 3 },
        { classId: 24, label: 'backpack', score: 0.6, box: { x: 5, y: 5, width: 4, height: 4 } },
      ],
    });
    expect(await harness.link.handleDetections(detections)).toEqual({ count: 2 });
    expect(harness.stats.snapshot()).toMatchObject({ identitiesUnknown: 2, identityEventsRecorded: 1, detectionMessages: 1, detections: 2 });
    expect((await http.get('/events').query({ camera: 'det-cam' }).expect(200)).body.items).toEqual([]);
  });

  it('reports per-channel health and metrics', async () => {
    expect(harness.health.names()).toEqual(expect.arrayContaining(['notification.store', 'notification.webhook', 'notification.log']));
    expect(await harness.health.check('notification.webhook')).toMatchObject({ status: 'up', targets: [expect.objectContaining({ url: receiver.url, pending: 0 })] });
    const stats = (await http.get('/notifications/stats').expect(200)).body;
    expect(stats.sentByChannel.webhook).toBe(receiver.delivered().length);
    expect(stats.sentByChannel.log).toBeGreaterThan(0);
  });
});

describe('notification module across restarts and with several webhook URLs', () => {
  const good = new WebhookReceiver();
  const broken = new WebhookReceiver();
  let dataDir: string;

  beforeAll(async () => {
    await good.start();
    await broken.start();
    broken.answer = () => 404;
    dataDir = tempDataDir();
  });

  afterAll(async () => {
    await good.stop();
    await broken.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const sets = () => [
    'notification.cooldownMs=60000',
    'notification.log.enabled=false',
    'notification.webhook.enabled=true',
    `notification.webhook.urls=[${good.url}, ${broken.url}]`,
  ];

  it('sends to every URL with one queue each: a URL answering 404 does not hold up the other', async () => {
    const harness = await bootNotification(dataDir, sets());
    try {
      for (let i = 0; i < 3; i++) await harness.link.handleAlert(makeAlert({ id: `fan-${i}`, cameraId: 'fan-cam', subject: `p${i}` }));
      await waitUntil(() => good.delivered().length === 3 && broken.requests.length === 3, 5_000, 'three deliveries per URL');
      await waitUntil(() => harness.stats.snapshot().deadLettered === 3, 5_000, 'three dead letters');
      expect(good.delivered().map((r) => r.key)).toEqual(['fan-0', 'fan-1', 'fan-2']);
      const metrics = await harness.app.get(MetricsService).text();
      expect(metrics).toMatch(/sentinel_notification_delivered_total\{channel="webhook"\} 3/);
      expect(metrics).toMatch(/sentinel_notification_dead_letters_total\{channel="webhook"\} 3/);
      expect(metrics).toMatch(/sentinel_notification_alerts_received_total\{kind="intruder"\} 3/);
      expect(metrics).toMatch(/sentinel_notification_outbox_depth\{channel="webhook"\} 0/);
      const health = await harness.health.check('notification.webhook');
      expect(health.status).toBe('up'); // a 4xx is the receiver's problem, not an outage
    } finally {
      await harness.close();
    }
  });

  it('stores an alert that arrives while the app stops (after every onModuleDestroy) and refuses one after the store closed', async () => {
    const stopping = await bootNotification(dataDir, sets());
    const service = stopping.app.get(NotificationService);
    // What Nest's close() does in order; the roof of a one-process deployment stops in its own onModuleDestroy and may emit then.
    await service.onModuleDestroy();
    expect((await stopping.link.handleAlert(makeAlert({ id: 'while-stopping', cameraId: 'stop-cam', kind: 'camera-down' }))).outcome).toBe('notified');
    service.beforeApplicationShutdown();
    await expect(stopping.link.handleAlert(makeAlert({ id: 'after-close', cameraId: 'stop-cam' }))).rejects.toThrow(/event store is closed: this process is stopping/);
    await stopping.app.close();

    const store = new EventStore(join(dataDir, 'events.sqlite'));
    try {
      expect(store.getEvent('while-stopping')).toMatchObject({ kind: 'camera-down', cameraId: 'stop-cam' });
      expect(store.getEvent('after-close')).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('remembers the cooldown across a restart (rebuilt from the event store)', async () => {
    const before = await bootNotification(dataDir, sets());
    const at = Date.now();
    try {
      expect((await before.link.handleAlert(makeAlert({ id: 'again-1', cameraId: 'again', subject: 'unknown-9', at }))).outcome).toBe('notified');
    } finally {
      await before.close();
    }
    const after = await bootNotification(dataDir, sets());
    try {
      expect((await after.link.handleAlert(makeAlert({ id: 'again-2', cameraId: 'again', subject: 'unknown-9', at: at + 1_000 }))).outcome).toBe('suppressed');
      expect((await after.link.handleAlert(makeAlert({ id: 'again-3', cameraId: 'again', subject: 'unknown-10', at: at + 1_000 }))).outcome).toBe('notified');
    } finally {
      await after.close();
    }
  });
});
