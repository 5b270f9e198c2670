import { MetricsService } from '@sentinel/telemetry';
import { tinyFrameMessage } from '@sentinel/testing';
import { FrameMessage } from '@sentinel/contracts';
import { InprocBus, InprocClient, InprocServer } from './inproc-transport';
import { LinkChannel, isTransportError } from './link-channel';
import { LinkLedger } from './link-ledger';
import { guardServerWithContracts } from './contract-guard';

const frame = tinyFrameMessage;

/** A real in-process link whose consumer finishes a message only when the test says so. */
function setup(window: number) {
  const ledger = new LinkLedger(new MetricsService());
  const bus = new InprocBus();
  const server = new InprocServer({ bus, link: 'roofToFog', ledger });
  guardServerWithContracts(server, 'roofToFog', ledger);
  const handled: number[] = [];
  const gates: Array<() => void> = [];
  server.addHandler('frame.changed', (async (message: FrameMessage) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    handled.push(message.seq);
  }) as never, false);
  server.listen(() => undefined);
  const channel = new LinkChannel('roofToFog', new InprocClient({ bus, link: 'roofToFog', ledger }), { window, timeoutMs: 5000, transport: 'inproc' }, ledger);
  const openGates = async (): Promise<void> => {
    while (handled.length < 1000) {
      const gate = gates.shift();
      if (!gate) return;
      gate();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { ledger, channel, handled, gates, openGates };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('LinkChannel flow control', () => {
  it('keeps at most `window` messages in flight and makes waiting producers wait', async () => {
    const { channel, gates, openGates, handled } = setup(2);
    const outcomes = [0, 1, 2, 3].map((seq) => channel.emit('frame.changed', frame(seq), { whenFull: 'wait' }));
    for (let i = 0; i < 5; i += 1) await tick();
    expect(gates).toHaveLength(2); // only two reached the consumer
    expect(channel.pending).toBe(4);
    while (handled.length < 4) {
      await openGates();
      await tick();
    }
    expect(await Promise.all(outcomes)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(handled).toEqual([0, 1, 2, 3]);
    await channel.drain();
    expect(channel.pending).toBe(0);
  });

  it('drops instead of waiting when asked to, and counts it', async () => {
    const { channel, openGates, ledger } = setup(1);
    const first = channel.emit('frame.changed', frame(0), { whenFull: 'drop' });
    await tick();
    expect(await channel.emit('frame.changed', frame(1), { whenFull: 'drop' })).toBe('dropped');
    await tick();
    await openGates();
    expect(await first).toBe('delivered');
    expect(ledger.snapshot().roofToFog.outcomes).toEqual({ dropped: 1, delivered: 1 });
  });

  it('reports a malformed message as failed without retrying, and the consumer counts it', async () => {
    const { channel, ledger } = setup(4);
    const outcome = await channel.emit('frame.changed', { ...frame(0), seq: -1, jpeg: 'not bytes' });
    expect(outcome).toBe('failed');
    expect(channel.lastError).toMatch(/malformed frame.changed: seq: seq must not be less than 0; jpeg: jpeg must be binary bytes/);
    expect(ledger.snapshot().roofToFog.malformed).toEqual({ 'invalid frame.changed': 1 });
  });
});

describe('isTransportError', () => {
  it('tells broken connections from consumer errors', () => {
    expect(isTransportError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4001'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransportError('Error: Connection lost. Trying to reconnect...')).toBe(true);
    expect(isTransportError(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isTransportError({ status: 'error', message: 'malformed frame.changed' })).toBe(false);
  });
});
