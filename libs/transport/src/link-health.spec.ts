import { LinkConfig } from '@sentinel/config';
import { Patterns } from '@sentinel/contracts';
import { ComponentHealth, HealthProbe, MetricsService } from '@sentinel/telemetry';
import { freePort, waitFor } from '@sentinel/testing';
import { InprocBus } from './inproc-transport';
import { LinkChannel } from './link-channel';
import { createLinkClient, createLinkServer } from './link-factory';
import { consumerHealth, producerHealth } from './link-health';
import { LinkLedger } from './link-ledger';

function linkConfig(fields: Partial<LinkConfig>): LinkConfig {
  return Object.assign(new LinkConfig(), { window: 4, timeoutMs: 1_000 }, fields);
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
});
