import { LinkConfig } from '@sentinel/config';
import { Patterns } from '@sentinel/contracts';
import { ComponentHealth, HealthProbe, MetricsService } from '@sentinel/telemetry';
import { InprocBus, LinkChannel, LinkLedger, consumerHealth, createLinkClient, createLinkServer, producerHealth } from '@sentinel/transport';
import { freePort, waitFor } from '@sentinel/testing';
import { startRedis, stopRedis } from './redis-server';

const statusOf = async (probe: HealthProbe): Promise<ComponentHealth> => probe();
const waitStatus = (probe: HealthProbe, status: string, what: string) =>
  waitFor(async () => ((await statusOf(probe)).status === status ? true : undefined), 15_000, what);

const listen = (server: ReturnType<typeof createLinkServer>) =>
  new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));

describe('link health over a real Redis that the test stops and starts again', () => {
  const ledger = new LinkLedger(new MetricsService());
  const bus = new InprocBus();

  it('redis consumer and producer: up with the broker, down when it stops, up again when it is back', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const config = Object.assign(new LinkConfig(), { window: 4, timeoutMs: 1_000, transport: 'redis', url: `redis://127.0.0.1:${port}` });
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
