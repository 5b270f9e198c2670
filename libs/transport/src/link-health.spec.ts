import { ChildProcess, spawn } from 'node:child_process';
import { LinkConfig } from '@sentinel/config';
import { Patterns } from '@sentinel/contracts';
import { ComponentHealth, HealthProbe, MetricsService } from '@sentinel/telemetry';
import { freePort, waitFor } from '@sentinel/testing';
import { InprocBus } from './inproc-transport';
import { LinkChannel } from './link-channel';
import { createLinkClient, createLinkServer } from './link-factory';
import { consumerHealth, probeRedis, producerHealth } from './link-health';
import { LinkLedger } from './link-ledger';

function linkConfig(fields: Partial<LinkConfig>): LinkConfig {
  return Object.assign(new LinkConfig(), { window: 4, timeoutMs: 1_000 }, fields);
}

/** A Redis of the test's own on a free port (the machine's Redis is left alone). */
async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
  await waitFor(async () => ((await probeRedis(`redis://127.0.0.1:${port}`)).ok ? true : undefined), 10_000, 'the test Redis');
  return redis;
}

async function stopRedis(redis: ChildProcess): Promise<void> {
  if (redis.exitCode !== null) return;
  const exited = new Promise((resolve) => redis.once('exit', resolve));
  redis.kill('SIGKILL');
  await exited;
}

const statusOf = async (probe: HealthProbe): Promise<ComponentHealth> => probe();
const waitStatus = (probe: HealthProbe, status: string, what: string) =>
  waitFor(async () => ((await statusOf(probe)).status === status ? true : undefined), 15_000, what);

const listen = (server: ReturnType<typeof createLinkServer>) =>
  new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));

describe('link health reads the real state of each end', () => {
  const ledger = new LinkLedger(new MetricsService());
  const bus = new InprocBus();

  it('tcp consumer: down until listening, up while listening, down once closed', async () => {
    const config = linkConfig({ transport: 'tcp', host: '127.0.0.1', port: await freePort() });
    const server = createLinkServer('roofToFog', config, { ledger, bus });
    server.addHandler(Patterns.FrameChanged, (async () => undefined) as never, false);
    const probe = consumerHealth('roofToFog', config, server, bus);
    expect(await statusOf(probe)).toMatchObject({ status: 'down', reason: `not listening on 127.0.0.1:${config.port}` });
    await listen(server);
    expect(await statusOf(probe)).toMatchObject({ status: 'up', listening: `127.0.0.1:${config.port}` });
    server.close();
    await waitStatus(probe, 'down', 'the closed server reported down');
  });

  it('tcp producer: a peer that is not listening is unreachable (down, with the code); a listening one is up', async () => {
    const config = linkConfig({ transport: 'tcp', host: '127.0.0.1', port: await freePort() });
    const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', config, { ledger, bus }), config, ledger);
    const probe = producerHealth('roofToFog', config, channel, bus);
    try {
      expect(await statusOf(probe)).toMatchObject({ status: 'down', reason: `peer unreachable: 127.0.0.1:${config.port} unreachable (ECONNREFUSED)` });
      const server = createLinkServer('roofToFog', config, { ledger, bus });
      server.addHandler(Patterns.FrameChanged, (async () => undefined) as never, false);
      await listen(server);
      try {
        await waitStatus(probe, 'up', 'the listening peer reported up');
      } finally {
        server.close();
      }
      await waitStatus(probe, 'down', 'the peer gone again');
    } finally {
      await channel.close();
    }
  });

  it('redis consumer and producer: up with the broker, down when it stops, up again when it is back', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const config = linkConfig({ transport: 'redis', url: `redis://127.0.0.1:${port}` });
    const server = createLinkServer('fogToCloud', config, { ledger, bus });
    server.addHandler(Patterns.FaceCrop, (async () => undefined) as never, false);
    const channel = new LinkChannel('fogToCloud', createLinkClient('fogToCloud', config, { ledger, bus }), config, ledger);
    const consumer = consumerHealth('fogToCloud', config, server, bus);
    const producer = producerHealth('fogToCloud', config, channel, bus);
    try {
      await listen(server);
      await waitStatus(consumer, 'up', 'the consumer subscribed');
      await waitStatus(producer, 'up', 'the producer reaching the broker');
      await stopRedis(redis);
      await waitStatus(consumer, 'down', 'the consumer without its broker');
      expect(await statusOf(consumer)).toMatchObject({ reason: expect.stringMatching(new RegExp(`^broker 127.0.0.1:${port} not connected`)) });
      await waitStatus(producer, 'down', 'the producer without its broker');
      expect((await statusOf(producer)).reason).toMatch(/peer unreachable: .*ECONNREFUSED/);
      redis = await startRedis(port);
      await waitStatus(consumer, 'up', 'the consumer reconnected by itself');
      await waitStatus(producer, 'up', 'the producer reaching the broker again');
    } finally {
      await channel.close().catch(() => undefined);
      await Promise.resolve(server.close()).catch(() => undefined);
      await stopRedis(redis);
    }
  }, 60_000);
});
