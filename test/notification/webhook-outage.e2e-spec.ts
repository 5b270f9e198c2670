import { rmSync } from 'node:fs';
import { verifyWebhookSignature } from '@sentinel/notification';
import { NotificationHarness, WebhookReceiver, bootNotification, makeAlert, tempDataDir, waitUntil } from './support';

const SECRET = 'outage-test-secret';
const OUTAGE_MS = 30_000;

/**
 * The check: a real webhook receiver is stopped for 30 s while alerts flow, then started
 * again; every alert arrives exactly once (by idempotency key) and in order per camera.
 */
describe('webhook channel: receiver down for 30 s while alerts flow', () => {
  const receiver = new WebhookReceiver();
  let harness: NotificationHarness;
  let dataDir: string;

  beforeAll(async () => {
    await receiver.start();
    dataDir = tempDataDir();
    harness = await bootNotification(dataDir, [
      'notification.cooldownMs=0',
      'notification.log.enabled=false',
      'notification.webhook.enabled=true',
      `notification.webhook.urls=[${receiver.url}]`,
      `notification.webhook.secret=${SECRET}`,
      'notification.webhook.timeoutMs=2000',
      'notification.retry.initialDelayMs=100',
      'notification.retry.maxDelayMs=1000',
    ]);
  });

  afterAll(async () => {
    await harness?.close();
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every alert once, in order per camera, signed', async () => {
    const cameras = ['cam-a', 'cam-b', 'cam-c'];
    const sent = new Map<string, string[]>(cameras.map((c) => [c, []]));
    const send = async (cameraId: string): Promise<void> => {
      const alert = makeAlert({ cameraId, kind: 'intruder', subject: `unknown-${sent.get(cameraId)!.length}` });
      const ack = await harness.link.handleAlert(alert);
      expect(ack).toEqual({ id: alert.id, outcome: 'notified', channels: ['webhook'] });
      sent.get(cameraId)!.push(alert.id);
    };

    // Receiver up.
    for (let i = 0; i < 3; i++) for (const camera of cameras) await send(camera);
    await waitUntil(() => receiver.delivered().length === 9, 10_000, 'the first 9 alerts');

    // Receiver down for 30 s; alerts keep coming (one per camera every 1.5 s).
    await receiver.stop();
    const outageEnds = Date.now() + OUTAGE_MS;
    let sawDown = false;
    while (Date.now() < outageEnds) {
      for (const camera of cameras) await send(camera);
      sawDown ||= (await harness.health.check('notification.webhook')).status === 'down';
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
    expect(sawDown).toBe(true);
    expect(harness.stats.snapshot().outboxDepth).toBeGreaterThan(0);
    expect(harness.stats.snapshot().failedByChannel.webhook).toBeGreaterThan(0);

    // Receiver back.
    await receiver.start();
    const total = [...sent.values()].reduce((n, ids) => n + ids.length, 0);
    await waitUntil(() => receiver.delivered().length === total, 20_000, `all ${total} alerts after the outage`);
    await waitUntil(() => harness.stats.snapshot().outboxDepth === 0, 5_000, 'an empty outbox');

    const delivered = receiver.delivered();
    // Exactly once by idempotency key: each sent id once, nothing else.
    expect(delivered.map((r) => r.key).sort()).toEqual([...sent.values()].flat().sort());
    // In order per camera.
    for (const camera of cameras) {
      expect(delivered.filter((r) => r.body.cameraId === camera).map((r) => r.key)).toEqual(sent.get(camera));
    }
    // Same key, same bytes, valid signature on every request that reached the receiver.
    for (const request of receiver.requests) {
      expect(request.body.id).toBe(request.key);
      const timestamp = Number(request.headers['x-sentinel-timestamp']);
      expect(verifyWebhookSignature(SECRET, timestamp, request.raw, String(request.headers['x-sentinel-signature']))).toBe(true);
    }
    expect(harness.stats.snapshot()).toMatchObject({ alertsReceived: total, alertsNotified: total, notificationsSent: total, deadLettered: 0 });
    expect((await harness.health.check('notification.webhook')).status).toBe('up');
  }, 90_000);
});
