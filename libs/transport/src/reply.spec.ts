import { LinkConfig } from '@sentinel/config';
import { FrameMessage, Patterns } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { describeWithService, freePort, REDIS_URL, tinyFrameMessage } from '@sentinel/testing';
import { InprocBus } from './inproc-transport';
import { LinkChannel } from './link-channel';
import { createLinkClient, createLinkServer } from './link-factory';
import { LinkLedger } from './link-ledger';

const frame = tinyFrameMessage;

/** The consumer's reply reaches the producer through the real transport (the fog's ack asks the roof to resync this way). */
async function expectRepliesThrough(fields: Partial<LinkConfig>): Promise<void> {
  const ledger = new LinkLedger(new MetricsService());
  const bus = new InprocBus();
  const config = Object.assign(new LinkConfig(), { window: 4, timeoutMs: 5_000 }, fields);
  const server = createLinkServer('roofToFog', config, { ledger, bus });
  server.addHandler(Patterns.FrameChanged, (async (message: FrameMessage) => ({ seq: message.seq, ...(message.seq % 2 ? { resync: true } : {}) })) as never, false);
  await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
  const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', config, { ledger, bus }), config, ledger);
  try {
    const replies: unknown[] = [];
    const outcomes = await Promise.all([0, 1, 2, 3].map((seq) => channel.emit(Patterns.FrameChanged, frame(seq), { whenFull: 'wait', onReply: (reply) => replies.push(reply) })));
    expect(outcomes).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    const bySeq = (replies as { seq: number }[]).sort((a, b) => a.seq - b.seq);
    expect(bySeq).toEqual([{ seq: 0 }, { seq: 1, resync: true }, { seq: 2 }, { seq: 3, resync: true }]);
  } finally {
    await channel.close();
    server.close();
  }
}

/** Messages emitted at once on a link that is not connected yet reach the consumer in emit order. */
async function expectOrderFromTheFirstMessage(fields: Partial<LinkConfig>): Promise<void> {
  const ledger = new LinkLedger(new MetricsService());
  const bus = new InprocBus();
  const config = Object.assign(new LinkConfig(), { window: 8, timeoutMs: 5_000 }, fields);
  const server = createLinkServer('roofToFog', config, { ledger, bus });
  const received: number[] = [];
  server.addHandler(Patterns.FrameChanged, (async (message: FrameMessage) => {
    received.push(message.seq);
  }) as never, false);
  await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
  const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', config, { ledger, bus }), config, ledger);
  try {
    const seqs = [0, 1, 2, 3, 4, 5, 6, 7];
    expect(await Promise.all(seqs.map((seq) => channel.emit(Patterns.FrameChanged, frame(seq), { whenFull: 'wait' })))).toEqual(seqs.map(() => 'delivered'));
    expect(received).toEqual(seqs);
  } finally {
    await channel.close();
    server.close();
  }
}

describe('link replies reach the producer; messages arrive in emit order from the first one', () => {
  it('inproc', async () => {
    await expectRepliesThrough({ transport: 'inproc' });
    await expectOrderFromTheFirstMessage({ transport: 'inproc' });
  });
  it('tcp', async () => {
    await expectRepliesThrough({ transport: 'tcp', host: '127.0.0.1', port: await freePort() });
    await expectOrderFromTheFirstMessage({ transport: 'tcp', host: '127.0.0.1', port: await freePort() });
  });
});

describeWithService('REDIS', 'link replies and order over Redis', () => {
  it('redis', async () => {
    await expectRepliesThrough({ transport: 'redis', url: REDIS_URL });
    await expectOrderFromTheFirstMessage({ transport: 'redis', url: REDIS_URL });
  });
});
