import { rmSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import sharp from 'sharp';
import { MQTT_URL, describeWithService, freePort } from '@sentinel/testing';
import { NotificationHarness, WebhookReceiver, bootNotification, makeAlert, tempDataDir, waitUntil } from './support';

interface Received {
  topic: string;
  payload: Record<string, unknown>;
  retain: boolean;
  qos: number;
}

async function subscriber(prefix: string): Promise<{ client: MqttClient; messages: Received[] }> {
  const client = await connectAsync(MQTT_URL, { clientId: `sentinel-test-sub-${process.pid}-${Math.random().toString(16).slice(2, 8)}` });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    if (payload.length === 0) return; // clearing a retained message
    messages.push({ topic, payload: JSON.parse(payload.toString('utf8')) as Record<string, unknown>, retain: packet.retain, qos: packet.qos });
  });
  await client.subscribeAsync(`${prefix}/#`, { qos: 1 });
  return { client, messages };
}

/** A TCP forwarder to the real broker that can be started late: the broker looks unreachable until then. */
class BrokerProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    const broker = new URL(MQTT_URL);
    this.server = createServer((client) => {
      const upstream = tcpConnect(Number(broker.port || 1883), broker.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describeWithService('MQTT', 'MQTT channel against the real broker', () => {
  const prefix = `sentinel-test-${process.pid}-${Date.now()}`;
  let harness: NotificationHarness;
  let dataDir: string;
  let sub: { client: MqttClient; messages: Received[] };

  beforeAll(async () => {
    sub = await subscriber(prefix);
    dataDir = tempDataDir();
    harness = await bootNotification(dataDir, [
      'notification.cooldownMs=0',
      'notification.log.enabled=false',
      'notification.mqtt.enabled=true',
      `notification.mqtt.url=${MQTT_URL}`,
      `notification.mqtt.topicPrefix=${prefix}`,
      'notification.mqtt.qos=1',
    ]);
    await waitUntil(async () => (await harness.health.check('notification.mqtt')).status === 'up', 10_000, 'the MQTT connection');
  });

  afterAll(async () => {
    await harness?.close();
    await sub?.client.endAsync();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes each alert on <prefix>/events and <prefix>/<camera>/<kind> with the documented payload', async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).jpeg().toBuffer();
    const alerts = [
      makeAlert({ id: 'mqtt-a1', cameraId: 'door', kind: 'intruder', subject: 'unknown-3', trackId: 12, score: 0.42, boxes: [{ x: 10, y: 20, width: 30, height: 40 }], snapshot: jpeg }),
      makeAlert({ id: 'mqtt-a2', cameraId: 'yard', kind: 'suspicious-object', label: 'backpack', score: 0.8 }),
      makeAlert({ id: 'mqtt-a3', cameraId: 'door', kind: 'camera-down', message: 'no frames for 10 s', details: { lastFrameAt: 5 } }),
    ];
    for (const alert of alerts) expect((await harness.link.handleAlert(alert)).channels).toEqual(['mqtt']);
    await waitUntil(() => sub.messages.length >= 6, 10_000, 'six MQTT messages');

    for (const alert of alerts) {
      const copies = sub.messages.filter((m) => m.payload.id === alert.id);
      expect(copies.map((m) => m.topic).sort()).toEqual([`${prefix}/${alert.cameraId}/${alert.kind}`, `${prefix}/events`].sort());
      for (const copy of copies) {
        expect(copy.qos).toBe(1);
        expect(copy.retain).toBe(false);
        expect(copy.payload).toEqual(
          JSON.parse(
            JSON.stringify({
              v: 1,
              id: alert.id,
              kind: alert.kind,
              cameraId: alert.cameraId,
              at: alert.at,
              capturedAt: alert.capturedAt,
              subject: alert.subject,
              label: alert.label,
              trackId: alert.trackId,
              score: alert.score,
              boxes: alert.boxes,
              message: alert.message,
              details: alert.details,
              snapshotUrl: alert.snapshot ? `/events/${alert.id}/snapshot.jpg` : null,
            }),
          ),
        );
      }
    }
    // In order on the events topic (one publisher connection, one alert at a time).
    expect(sub.messages.filter((m) => m.topic === `${prefix}/events`).map((m) => m.payload.id)).toEqual(['mqtt-a1', 'mqtt-a2', 'mqtt-a3']);
    // Counted once the broker acknowledged both publishes (which may come just after the subscriber saw them).
    await waitUntil(() => harness.stats.snapshot().sentByChannel.mqtt === 3, 5_000, 'three MQTT deliveries counted');
    expect(harness.stats.snapshot().outboxDepth).toBe(0);
  });
});

describeWithService('MQTT', 'MQTT channel with an unreachable broker', () => {
  const prefix = `sentinel-test-late-${process.pid}-${Date.now()}`;
  const receiver = new WebhookReceiver();
  let proxy: BrokerProxy;
  let harness: NotificationHarness;
  let dataDir: string;
  let sub: { client: MqttClient; messages: Received[] };

  beforeAll(async () => {
    await receiver.start();
    proxy = new BrokerProxy(await freePort());
    sub = await subscriber(prefix);
    dataDir = tempDataDir();
    harness = await bootNotification(dataDir, [
      'notification.cooldownMs=0',
      'notification.log.enabled=false',
      'notification.webhook.enabled=true',
      `notification.webhook.urls=[${receiver.url}]`,
      'notification.mqtt.enabled=true',
      `notification.mqtt.url=mqtt://127.0.0.1:${proxy.port}`,
      `notification.mqtt.topicPrefix=${prefix}`,
      'notification.mqtt.retain=true',
      'notification.mqtt.reconnectPeriodMs=200',
      'notification.mqtt.connectTimeoutMs=1000',
      'notification.retry.initialDelayMs=100',
      'notification.retry.maxDelayMs=5000',
    ]);
  });

  afterAll(async () => {
    await harness?.close();
    await proxy?.stop();
    await receiver.stop();
    await sub?.client.endAsync();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the webhook working, reconnects in the background and then publishes what waited', async () => {
    const alert = makeAlert({ id: 'late-1', cameraId: 'gate', kind: 'intruder' });
    expect((await harness.link.handleAlert(alert)).channels).toEqual(['webhook', 'mqtt']);
    await waitUntil(() => receiver.delivered().some((r) => r.key === 'late-1'), 5_000, 'the webhook delivery while MQTT is down');
    expect(await harness.health.check('notification.mqtt')).toMatchObject({ status: 'down', connected: false });
    await waitUntil(() => harness.stats.snapshot().failedByChannel.mqtt > 0, 5_000, 'a failed MQTT attempt');
    // The receiver records the webhook request before it answers: the webhook's row leaves the outbox
    // a moment after, the MQTT row stays.
    await waitUntil(() => harness.stats.snapshot().outboxDepth === 1, 5_000, 'only the MQTT delivery left in the outbox');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(harness.stats.snapshot().outboxDepth).toBe(1);

    await proxy.start();
    await waitUntil(() => sub.messages.filter((m) => m.payload.id === 'late-1').length === 2, 10_000, 'late-1 on both MQTT topics');
    expect((await harness.health.check('notification.mqtt')).status).toBe('up');
    await waitUntil(() => harness.stats.snapshot().outboxDepth === 0, 5_000, 'an empty outbox');

    // retain=true: a subscriber arriving later still gets the camera's last alert.
    const late = await subscriber(`${prefix}/gate`);
    try {
      await waitUntil(() => late.messages.length > 0, 5_000, 'the retained message');
      expect(late.messages[0]).toMatchObject({ topic: `${prefix}/gate/intruder`, retain: true, payload: expect.objectContaining({ id: 'late-1' }) });
    } finally {
      await late.client.endAsync();
      // Clear the retained messages so the broker does not keep test data.
      await sub.client.publishAsync(`${prefix}/gate/intruder`, '', { retain: true });
      await sub.client.publishAsync(`${prefix}/events`, '', { retain: true });
    }
  });
});
