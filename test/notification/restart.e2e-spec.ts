import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync, statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { SCHEMA_VERSION } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { LinkLedger, createTcpClient } from '@sentinel/transport';
import { freePort, startProcess as startTier } from '@sentinel/testing';
import { WebhookReceiver, tempDataDir, waitUntil } from './support';

const ROOT = resolve(__dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'scripts', 'notification-standalone.js');

/** Newest modification time under a folder (to warn when dist is older than the sources). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

interface Running {
  child: ChildProcess;
  http: number;
  exited: Promise<number | null>;
}

/** Starts the standalone notification process (compiled by `npm run build`) and waits for its ready line. */
async function startProcess(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = await new Promise<{ http: number }>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ready line within 20 s; stderr: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"ready"')) return;
      clearTimeout(timer);
      done(JSON.parse(line) as { http: number });
    });
    void exited.then((code) => fail(new Error(`exited with ${code} before ready; stderr: ${stderr}`)));
  });
  return { child, http: ready.http, exited };
}

describe('restart: alerts accepted but not delivered survive a SIGKILL', () => {
  const receiver = new WebhookReceiver();
  const running: Running[] = [];
  let dataDir: string;
  let client: ClientProxy | undefined;

  beforeAll(async () => {
    if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`);
    if (newestMtime(join(ROOT, 'libs', 'notification', 'src')) > statSync(ENTRY).mtimeMs) {
      console.warn(`[restart test] ${ENTRY} is older than libs/notification/src: run \`npm run build\` to test the current code`);
    }
    await receiver.start();
    dataDir = tempDataDir();
  });

  afterAll(async () => {
    client?.close();
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await Promise.all(running.map((r) => r.exited));
    await receiver.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers after the restart what the killed process had accepted, in order per camera', async () => {
    const rpcPort = await freePort();
    const args = [
      '--rpc-port', String(rpcPort),
      '--set', `dataDir=${dataDir}`,
      '--set', 'http.port=0',
      '--set', 'http.host=127.0.0.1',
      '--set', 'notification.cooldownMs=0',
      '--set', 'notification.log.enabled=false',
      '--set', 'notification.webhook.enabled=true',
      '--set', `notification.webhook.urls=[${receiver.url}]`,
      '--set', 'notification.retry.initialDelayMs=200',
      '--set', 'notification.retry.maxDelayMs=500',
    ];
    // The receiver refuses everything with 503 (retryable): nothing can be delivered before the kill.
    receiver.answer = () => 503;
    const first = await startProcess(args);
    running.push(first);

    client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: rpcPort } });
    await client.connect();
    const sent: Record<string, string[]> = { 'cam-x': [], 'cam-y': [] };
    for (let i = 0; i < 5; i++) {
      for (const cameraId of Object.keys(sent)) {
        const id = `restart-${cameraId}-${i}`;
        const now = Date.now();
        const ack = await lastValueFrom(
          client.send<{ id: string; outcome: string }>('alert', { v: SCHEMA_VERSION, id, kind: 'intruder', cameraId, subject: `p${i}`, capturedAt: now, at: now }),
        );
        expect(ack).toMatchObject({ id, outcome: 'notified' }); // acknowledged = stored + queued
        sent[cameraId].push(id);
      }
    }
    client.close();
    client = undefined;
    // Deliveries were attempted and refused: the alerts sit in the outbox.
    await waitUntil(() => receiver.requests.length >= 2, 10_000, 'refused delivery attempts');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull(); // killed by the signal, no clean shutdown
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(receiver.delivered()).toEqual([]);

    receiver.answer = () => 200;
    const second = await startProcess(args);
    running.push(second);
    const all = Object.values(sent).flat();
    await waitUntil(() => receiver.delivered().length === all.length, 20_000, `all ${all.length} alerts after the restart`);
    const delivered = receiver.delivered();
    expect(delivered.map((r) => r.key).sort()).toEqual([...all].sort());
    for (const [cameraId, ids] of Object.entries(sent)) {
      expect(delivered.filter((r) => r.body.cameraId === cameraId).map((r) => r.key)).toEqual(ids);
    }
    // The events survived too, and the restarted process serves them.
    const events = (await request(`http://127.0.0.1:${second.http}`).get('/events').query({ limit: 100 }).expect(200)).body.items as Array<{ id: string }>;
    expect(events.map((e) => e.id).sort()).toEqual([...all].sort());
    const stats = (await request(`http://127.0.0.1:${second.http}`).get('/notifications/stats').expect(200)).body;
    expect(stats).toMatchObject({ alertsReceived: 0, notificationsSent: all.length, outboxDepth: 0 });

    // Nest's shutdown hooks close the module, then re-raise the signal.
    second.child.kill('SIGTERM');
    const code = await second.exited;
    expect(code === 0 || second.child.signalCode === 'SIGTERM').toBe(true);
  }, 60_000);
});

/**
 * The same check on the product itself: `node dist/main --tier=cloud` running only the notification
 * module, fed over the real binary TCP link by a producer in this test.
 */
describe('restart of the real app (dist/main --tier=cloud)', () => {
  const receiver = new WebhookReceiver();
  let dataDir: string;

  beforeAll(async () => {
    await receiver.start();
    dataDir = tempDataDir();
  });

  afterAll(async () => {
    await receiver.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers after a SIGKILL what the killed tier had acknowledged over the link', async () => {
    const linkPort = await freePort();
    const args = [
      '--tier=cloud',
      '--port=0',
      '--set=http.host=127.0.0.1',
      `--set=dataDir=${dataDir}`,
      '--set=placement.cloud=[notification]',
      '--set=links.notification.transport=tcp',
      '--set=links.notification.host=127.0.0.1',
      `--set=links.notification.port=${linkPort}`,
      '--set=notification.cooldownMs=0',
      '--set=notification.log.enabled=false',
      '--set=notification.webhook.enabled=true',
      `--set=notification.webhook.urls=[${receiver.url}]`,
      '--set=notification.retry.initialDelayMs=200',
      '--set=notification.retry.maxDelayMs=500',
    ];
    receiver.answer = () => 503;
    const first = await startTier('main.js', args);
    const producer = createTcpClient({ host: '127.0.0.1', port: linkPort, link: 'notification', ledger: new LinkLedger(new MetricsService()) });
    const sent: string[] = [];
    try {
      await producer.connect();
      for (let i = 0; i < 6; i++) {
        const id = `tier-restart-${i}`;
        const now = Date.now();
        const ack = await lastValueFrom(producer.send<{ outcome: string }>('alert', { v: SCHEMA_VERSION, id, kind: 'intruder', cameraId: 'tier-cam', subject: `p${i}`, capturedAt: now, at: now }));
        expect(ack).toMatchObject({ outcome: 'notified' });
        sent.push(id);
      }
    } finally {
      producer.close();
    }
    await waitUntil(() => receiver.requests.length >= 1, 10_000, 'a refused delivery attempt');
    first.child.kill('SIGKILL');
    await first.stop();
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(receiver.delivered()).toEqual([]);

    receiver.answer = () => 200;
    const second = await startTier('main.js', args);
    try {
      await waitUntil(() => receiver.delivered().length === sent.length, 20_000, `all ${sent.length} alerts after the restart`);
      expect(receiver.delivered().map((r) => r.key)).toEqual(sent);
    } finally {
      await second.stop();
    }
  }, 90_000);
});
