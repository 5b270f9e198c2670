import { LinkConfig } from '@sentinel/config';
import { AlertMessage, FrameMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { tinyFrameMessage } from '@sentinel/testing';
import { guardServerWithContracts } from './contract-guard';
import { InprocBus, InprocClient, InprocServer } from './inproc-transport';
import { LinkChannel } from './link-channel';
import { LinkLedger } from './link-ledger';
import { LinkRouter } from './link-router';

const alert = (n: number): AlertMessage =>
  Object.assign(new AlertMessage(), { v: SCHEMA_VERSION, cameraId: 'cam', capturedAt: 1, id: `alert-${String(n).padStart(6, '0')}`, kind: 'intruder', at: 1 });

/** Real in-process links (roof -> fog, -> notification) whose consumer finishes a message only when the test opens a gate. */
function setup(fields: Partial<LinkConfig>) {
  const ledger = new LinkLedger(new MetricsService());
  const bus = new InprocBus();
  const gates: Array<() => void> = [];
  const handled: string[] = [];
  const links = new Map();
  for (const [link, pattern] of [['roofToFog', Patterns.FrameChanged], ['notification', Patterns.Alert]] as const) {
    const server = new InprocServer({ bus, link, ledger });
    guardServerWithContracts(server, link, ledger);
    server.addHandler(pattern, (async (message: { seq?: number; id?: string }) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      handled.push(`${pattern}:${message.seq ?? message.id}`);
    }) as never, false);
    server.listen(() => undefined);
    const config = Object.assign(new LinkConfig(), { window: 4, maxQueued: 8, timeoutMs: 60_000 }, fields);
    links.set(link, { channel: new LinkChannel(link, new InprocClient({ bus, link, ledger }), config, ledger), config });
  }
  const router = new LinkRouter(links, ledger);
  /** The consumer catches up: opens gates until nothing waits. */
  const drain = async () => {
    for (;;) {
      const gate = gates.shift();
      if (gate) gate();
      else if (router.channel('roofToFog')!.pending + router.channel('notification')!.pending === 0) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { ledger, router, handled, drain };
}

describe('LinkRouter backpressure and delivery policy', () => {
  it('keeps at most window + maxQueued frames pending behind a slow consumer and drops the rest, counted', async () => {
    const { router, ledger, handled, drain } = setup({});
    const outcomes: Array<Promise<string>> = [];
    let peakPending = 0;
    // A producer faster than its consumer, asking to wait (as an unpaced file does).
    for (let seq = 0; seq < 500; seq += 1) {
      outcomes.push(router.emit(Patterns.FrameChanged, tinyFrameMessage(seq), { whenFull: 'wait' }));
      peakPending = Math.max(peakPending, router.channel('roofToFog')!.pending);
    }
    await drain();
    const settled = await Promise.all(outcomes);
    expect(peakPending).toBeLessThanOrEqual(4 + 8);
    const dropped = settled.filter((o) => o === 'dropped').length;
    expect(dropped).toBe(500 - 12);
    expect(settled.filter((o) => o === 'delivered')).toHaveLength(12);
    expect(ledger.snapshot().roofToFog.outcomes).toEqual({ dropped, delivered: 12 });
    expect(handled.filter((h) => h.startsWith('frame.changed'))).toHaveLength(12);
  });

  it('never drops a durable message: alerts wait for room however many are queued', async () => {
    const { router, handled, drain } = setup({});
    const outcomes = Array.from({ length: 200 }, (_, n) => router.emit(Patterns.Alert, alert(n), { whenFull: 'drop' }));
    await drain();
    expect(new Set(await Promise.all(outcomes))).toEqual(new Set(['delivered']));
    expect(handled).toHaveLength(200);
  });

  it('links.<link>.whenFull decides for droppable messages: drop overrides a waiting caller, wait a dropping one', async () => {
    const dropping = setup({ whenFull: 'drop', maxQueued: 1000 });
    const dropped = Array.from({ length: 20 }, (_, seq) => dropping.router.emit(Patterns.FrameChanged, tinyFrameMessage(seq), { whenFull: 'wait' }));
    await dropping.drain();
    expect((await Promise.all(dropped)).filter((o) => o === 'dropped')).toHaveLength(16);

    const waiting = setup({ whenFull: 'wait', maxQueued: 1000 });
    const waited = Array.from({ length: 20 }, (_, seq) => waiting.router.emit(Patterns.FrameChanged, tinyFrameMessage(seq) as FrameMessage, { whenFull: 'drop' }));
    await waiting.drain();
    expect(new Set(await Promise.all(waited))).toEqual(new Set(['delivered']));
  });
});
