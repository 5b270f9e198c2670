import { LinkConfig } from '@sentinel/config';
import { FrameMessage, Patterns } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { freePort, tinyFrameMessage } from '@sentinel/testing';
import { InprocBus } from './inproc-transport';
import { LinkChannel } from './link-channel';
import { createLinkClient, createLinkServer } from './link-factory';
import { LinkLedger } from './link-ledger';

const frame = tinyFrameMessage;

function linkConfig(fields: Partial<LinkConfig>): LinkConfig {
  return Object.assign(new LinkConfig(), { window: 4, timeoutMs: 10_000 }, fields);
}

describe('links to an unreachable consumer or broker', () => {
  const ledger = new LinkLedger(new MetricsService());
  const bus = new InprocBus();

  it('tcp: a waiting producer retries until the consumer starts, and nothing is lost', async () => {
    const config = linkConfig({ transport: 'tcp', host: '127.0.0.1', port: await freePort() });
    const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', config, { ledger, bus }), config, ledger);
    const received: number[] = [];
    const outcomes = Promise.all([0, 1, 2].map((seq) => channel.emit(Patterns.FrameChanged, frame(seq), { whenFull: 'wait' })));
    // The consumer comes up only once the producer has already failed to connect.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const server = createLinkServer('roofToFog', config, { ledger, bus });
    server.addHandler(Patterns.FrameChanged, (async (message: FrameMessage) => {
      received.push(message.seq);
    }) as never, false);
    await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
    try {
      expect(await outcomes).toEqual(['delivered', 'delivered', 'delivered']);
      expect(received.sort()).toEqual([0, 1, 2]);
    } finally {
      await channel.close();
      server.close();
    }
  });

  it('tcp: a dropping producer reports the failure at once and keeps no message pending', async () => {
    const config = linkConfig({ transport: 'tcp', host: '127.0.0.1', port: await freePort() });
    const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', config, { ledger, bus }), config, ledger);
    expect(await channel.emit(Patterns.FrameChanged, frame(0), { whenFull: 'drop' })).toBe('failed');
    expect(channel.lastError).toMatch(/ECONNREFUSED/);
    expect(channel.pending).toBe(0);
    await channel.close();
  });

  it('redis: the consumer starts with the broker down, and a producer gives up after timeoutMs', async () => {
    const config = linkConfig({ transport: 'redis', url: `redis://127.0.0.1:${await freePort()}`, timeoutMs: 1500 });
    const server = createLinkServer('roofToFog', config, { ledger, bus });
    server.addHandler(Patterns.FrameChanged, (async () => undefined) as never, false);
    await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
    const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', config, { ledger, bus }), config, ledger);
    try {
      expect(await channel.emit(Patterns.FrameChanged, frame(0), { whenFull: 'wait' })).toBe('failed');
      expect(channel.lastError).toBeDefined();
      expect(channel.pending).toBe(0);
    } finally {
      await channel.close().catch(() => undefined);
      await Promise.resolve(server.close()).catch(() => undefined);
    }
  });
});
