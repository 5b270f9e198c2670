import { validateContract } from '@sentinel/contracts';
import { EmitOptions, EmitOutcome, LinkEmitter } from '@sentinel/transport';
import type { ChangeResult, ForwardedReference } from '../detector/change-detector';
import { ForwardChain } from './forward-chain';
import type { Payload } from './frame-encoder';
import { OrderedEmitter, frameMessage } from './frame-emitter';
import { FramePlanner } from './frame-planner';

const changed = (overrides: Partial<ChangeResult> = {}): ChangeResult => ({ changed: true, score: 0.1, regions: [{ x: 0, y: 0, width: 10, height: 10 }], brightnessOffset: 0, first: false, ...overrides });
const still = changed({ changed: false, regions: [], score: 0 });
const regions = { send: 'regions' as const, regions: [{ x: 0, y: 0, width: 10, height: 10 }] };
const whole = { send: 'frame' as const, heartbeat: false };

function chainWithReference(): { chain: ForwardChain; seen: ForwardedReference[] } {
  const seen: ForwardedReference[] = [];
  return { chain: new ForwardChain({ forwarded: (what) => seen.push(what) }), seen };
}

describe('ForwardChain', () => {
  it('numbers frames and links each message to the one issued before it', () => {
    const { chain } = chainWithReference();
    expect(chain.issue(chain.next(), whole, true)).toEqual({ seq: 0 });
    chain.next();
    chain.skipped();
    expect(chain.issue(chain.next(), regions, false)).toEqual({ seq: 2, baseSeq: 0 });
    expect(chain.issue(chain.next(), regions, false)).toEqual({ seq: 3, baseSeq: 2 });
  });

  it('tells the change detector what the fog now holds: the whole frame, the regions, or nothing', () => {
    const { chain, seen } = chainWithReference();
    chain.issue(chain.next(), whole, true);
    chain.issue(chain.next(), regions, false);
    chain.skipped();
    expect(seen).toEqual(['frame', regions.regions, []]);
  });

  it('is due a resync after a lost message or a resync reply, until a message that stands alone is issued', () => {
    const { chain } = chainWithReference();
    chain.issue(chain.next(), whole, true);
    const second = chain.next();
    chain.issue(second, regions, false);
    expect(chain.resyncDue).toBe(false);
    chain.replied(second, { ok: true });
    expect(chain.resyncDue).toBe(false);
    chain.replied(second, { resync: true });
    expect(chain.resyncDue).toBe(true);
    chain.issue(chain.next(), regions, false);
    expect(chain.resyncDue).toBe(true);
    chain.issue(chain.next(), whole, true);
    expect(chain.resyncDue).toBe(false);
  });

  it('counts the loss of the whole frame that started the chain, even when it is reported after later messages were issued', () => {
    const { chain } = chainWithReference();
    chain.issue(chain.next(), whole, true);
    chain.issue(chain.next(), regions, false);
    chain.lost(0);
    expect(chain.resyncDue).toBe(true);
    chain.issue(chain.next(), whole, true);
    chain.lost(1);
    expect(chain.resyncDue).toBe(false);
  });
});

describe('FramePlanner', () => {
  const limits = { maxRegions: 4, fullFrameAbove: 0.6 };
  const input = (change: ChangeResult, streamSeconds: number, resyncDue = false) => ({ change, streamSeconds, width: 100, height: 100, resyncDue });

  it('regions policy: a resync makes the next frame whole, changed or not', () => {
    const planner = new FramePlanner('regions', 0, limits);
    expect(planner.plan(input(changed(), 0))).toEqual(regions);
    expect(planner.plan(input(changed(), 0.1, true))).toEqual({ send: 'frame', heartbeat: true });
    expect(planner.plan(input(still, 0.2, true))).toEqual({ send: 'frame', heartbeat: true });
  });

  it('frame policy ignores the chain: whole frames need no resync', () => {
    const planner = new FramePlanner('frame', 0, limits);
    expect(planner.plan(input(still, 0, true))).toEqual({ send: 'none' });
  });

  it('sends a heartbeat when no whole frame went out for heartbeatSeconds of stream time', () => {
    const planner = new FramePlanner('regions', 2, limits);
    expect(planner.plan(input(still, 0))).toEqual({ send: 'none' });
    expect(planner.plan(input(still, 1.9))).toEqual({ send: 'none' });
    expect(planner.plan(input(still, 2))).toEqual({ send: 'frame', heartbeat: true });
    planner.wholeFrameSent(2);
    expect(planner.plan(input(still, 3))).toEqual({ send: 'none' });
  });
});

describe('frameMessage', () => {
  const facts = { cameraId: 'cam', capturedAt: 1_700_000_000_000, width: 64, height: 48, changeScore: 1.5, streamTimeMs: 400 };

  it('builds valid frame and regions messages; only regions name their base', () => {
    const frame: Payload = { kind: 'frame', codec: 'jpeg', data: Buffer.from([1, 2, 3]), heartbeat: true };
    const message = frameMessage(facts, { seq: 4, baseSeq: 3 }, frame);
    expect(message).toMatchObject({ seq: 4, kind: 'frame', heartbeat: true, changeScore: 1, streamTimeMs: 400 });
    expect(message.baseSeq).toBeUndefined();
    expect(validateContract('frame.changed', message)).toEqual(expect.objectContaining({ ok: true }));

    const atlas: Payload = { kind: 'regions', codec: 'jpeg', data: Buffer.from([1]), regions: [{ x: 1, y: 2, width: 3, height: 4, atlasX: 0, atlasY: 0 }] };
    const withBase = frameMessage(facts, { seq: 5, baseSeq: 4 }, atlas);
    expect(withBase).toMatchObject({ kind: 'regions', baseSeq: 4, regions: atlas.regions });
    expect(validateContract('frame.changed', withBase)).toEqual(expect.objectContaining({ ok: true }));
    expect(frameMessage(facts, { seq: 0 }, atlas).baseSeq).toBeUndefined();
  });
});

/** A link that settles each emit when the test says so. */
class HeldLink extends LinkEmitter {
  readonly emitted: number[] = [];
  readonly settle: ((outcome: EmitOutcome) => void)[] = [];

  emit(_pattern: string, message: object, _options?: EmitOptions): Promise<EmitOutcome> {
    this.emitted.push((message as { seq: number }).seq);
    return new Promise((resolve) => this.settle.push(resolve));
  }
}

describe('OrderedEmitter', () => {
  const facts = { cameraId: 'cam', capturedAt: 1, width: 8, height: 8, changeScore: 0.5 };
  const payload = (n: number): Payload => ({ kind: 'frame', codec: 'jpeg', data: Buffer.alloc(n), heartbeat: false });

  it('emits in stream order when encodes finish out of order, with acknowledgements overlapping', async () => {
    const link = new HeldLink();
    const emitter = new OrderedEmitter(link, 2, 'wait');
    let finishFirst!: (p: Payload) => void;
    const first = emitter.send(new Promise((resolve) => (finishFirst = resolve)), (p) => frameMessage(facts, { seq: 0 }, p), () => undefined);
    const second = emitter.send(Promise.resolve(payload(2)), (p) => frameMessage(facts, { seq: 1 }, p), () => undefined);
    expect(emitter.full).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(link.emitted).toEqual([]);
    finishFirst(payload(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(link.emitted).toEqual([0, 1]);
    link.settle[1]('dropped');
    link.settle[0]('delivered');
    await expect(first).resolves.toMatchObject({ outcome: 'delivered' });
    await expect(second).resolves.toMatchObject({ outcome: 'dropped' });
    expect(emitter.inFlight).toBe(0);
  });

  it('resolves undefined when there was nothing to send, and goes on after a failed encode', async () => {
    const link = new HeldLink();
    const emitter = new OrderedEmitter(link, 4, 'drop');
    await expect(emitter.send(Promise.resolve(undefined), (p) => frameMessage(facts, { seq: 0 }, p), () => undefined)).resolves.toBeUndefined();
    await expect(emitter.send(Promise.reject(new Error('bad')), (p) => frameMessage(facts, { seq: 1 }, p), () => undefined)).rejects.toThrow('bad');
    const next = emitter.send(Promise.resolve(payload(1)), (p) => frameMessage(facts, { seq: 2 }, p), () => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    link.settle[0]('delivered');
    await expect(next).resolves.toMatchObject({ outcome: 'delivered' });
    expect(link.emitted).toEqual([2]);
  });
});
