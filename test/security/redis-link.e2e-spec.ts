import Redis from 'ioredis';
import { LinkConfig, LinkTlsConfig } from '@sentinel/config';
import { FrameMessage, Patterns } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { InprocBus, LinkChannel, LinkLedger, createLinkClient, createLinkServer, encodePacket } from '@sentinel/transport';
import { tinyFrameMessage } from '../support/messages';
import { waitFor } from '../support/processes';
import { Broker, startRedis } from './brokers';
import { selfSignedCertificate, tempDir } from './support';

const PASSWORD = 'redis-test-password-7';
const MAX_MESSAGE = 256 * 1024;

/** A frame whose JPEG field has `extraBytes` more (the consumer drops an oversized body before decoding it). */
function frame(seq: number, extraBytes = 0): FrameMessage {
  const message = tinyFrameMessage(seq);
  return extraBytes ? { ...message, jpeg: Buffer.concat([Buffer.from(message.jpeg), Buffer.alloc(extraBytes)]) } : message;
}

/**
 * Redis links with a password and TLS against a redis-server the test starts; oversized messages are
 * refused by the producer and dropped (counted) by the consumer; a subscription Redis drops is counted.
 */
describe('Redis link: password, TLS, size cap, dropped subscription (own redis-server)', () => {
  jest.setTimeout(60_000);
  const dir = tempDir('redis-link-');
  const certificate = selfSignedCertificate(dir.dir);
  let redis: Broker;

  beforeAll(async () => {
    // A 1 MB pub/sub output buffer limit stands in for Redis's 32 MB default.
    redis = await startRedis({ password: PASSWORD, tls: certificate, extra: ['--client-output-buffer-limit', 'pubsub 1mb 1mb 0'] });
  });

  afterAll(async () => {
    await redis?.stop();
    dir.remove();
  });

  async function link(url: string, fields: Partial<LinkConfig> = {}) {
    const ledger = new LinkLedger(new MetricsService());
    const config = Object.assign(new LinkConfig(), { transport: 'redis', url, window: 4, timeoutMs: 3_000, maxMessageBytes: MAX_MESSAGE }, fields);
    const server = createLinkServer('roofToFog', config, { ledger, bus: new InprocBus() });
    const received: number[] = [];
    server.addHandler(Patterns.FrameChanged, (async (message: FrameMessage) => {
      received.push(message.seq);
    }) as never, false);
    await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
    const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', config, { ledger, bus: new InprocBus() }), config, ledger);
    const incidents = () => ledger.snapshot().roofToFog?.incidents ?? {};
    return { ledger, server, channel, received, incidents, close: async () => { await channel.close(); await server.close(); } };
  }

  it('delivers with the password, over TLS verified against the test certificate; without the password nothing', async () => {
    const plain = await link(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`);
    const tls = await link(`rediss://:${PASSWORD}@127.0.0.1:${redis.tlsPort}`, { tls: Object.assign(new LinkTlsConfig(), { ca: certificate.cert }) });
    const intruderConfig = Object.assign(new LinkConfig(), { transport: 'redis', url: `redis://:wrong@127.0.0.1:${redis.port}`, window: 1, timeoutMs: 500 });
    const intruderLedger = new LinkLedger(new MetricsService());
    const intruder = new LinkChannel('roofToFog', createLinkClient('roofToFog', intruderConfig, { ledger: intruderLedger, bus: new InprocBus() }), intruderConfig, intruderLedger);
    try {
      await waitFor(async () => ((await plain.channel.emit(Patterns.FrameChanged, frame(1), { whenFull: 'wait' })) === 'delivered' ? true : undefined), 10_000, 'password link');
      await waitFor(async () => ((await tls.channel.emit(Patterns.FrameChanged, frame(2), { whenFull: 'wait' })) === 'delivered' ? true : undefined), 10_000, 'TLS link');
      expect(plain.received).toContain(1);
      expect(tls.received).toContain(2);
      // The broker refuses the wrong password: the emit fails (an outcome or the broker's WRONGPASS error).
      const refused = await intruder.emit(Patterns.FrameChanged, frame(3), { whenFull: 'wait' }).catch((error: Error) => error.message);
      expect(refused).not.toBe('delivered');
      expect([...plain.received, ...tls.received]).not.toContain(3);
    } finally {
      // quit() on a connection the broker never authenticated rejects with WRONGPASS too.
      await Promise.all([plain.close(), tls.close(), intruder.close().catch(() => undefined)]);
    }
  });

  it('refuses an oversized message at the producer, drops and counts one at the consumer, counts a dropped subscription and its return', async () => {
    const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    const end = await link(url);
    const raw = new Redis(url);
    try {
      await waitFor(async () => ((await end.channel.emit(Patterns.FrameChanged, frame(10), { whenFull: 'wait' })) === 'delivered' ? true : undefined), 10_000, 'link up');
      expect(await end.channel.emit(Patterns.FrameChanged, frame(11, MAX_MESSAGE + 1), { whenFull: 'wait' })).not.toBe('delivered');
      expect(end.incidents()['oversized-sent']).toBe(1);

      // Another producer ignores the cap: 400 KB is under Redis's buffer limit, over the consumer's cap.
      await raw.publish(Patterns.FrameChanged, encodePacket({ pattern: Patterns.FrameChanged, data: frame(12, 400 * 1024) }));
      await waitFor(() => (end.incidents()['oversized-received'] === 1 ? true : undefined), 5_000, 'oversized message counted');

      // 3 MB is over Redis's output buffer limit: Redis closes the subscriber, the message is lost, counted.
      await raw.publish(Patterns.FrameChanged, encodePacket({ pattern: Patterns.FrameChanged, data: frame(13, 3 * 1024 * 1024) }));
      await waitFor(() => (end.incidents()['subscription-lost'] === 1 ? true : undefined), 10_000, 'lost subscription counted');
      await waitFor(() => (end.incidents().reconnected === 1 ? true : undefined), 15_000, 'subscription back');
      await waitFor(async () => ((await end.channel.emit(Patterns.FrameChanged, frame(14), { whenFull: 'wait' })) === 'delivered' ? true : undefined), 10_000, 'delivery after');
      expect(end.received).toEqual(expect.arrayContaining([10, 14]));
      expect(end.received).not.toEqual(expect.arrayContaining([11]));
      expect(end.received.filter((id) => id === 12 || id === 13)).toEqual([]);
    } finally {
      raw.disconnect();
      await end.close();
    }
  });
});
