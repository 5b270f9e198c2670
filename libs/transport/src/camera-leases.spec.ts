import Redis from 'ioredis';
import { LinkConfig } from '@sentinel/config';
import { FrameMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { REDIS_URL, describeWithService, waitFor as pollUntil } from '@sentinel/testing';
import { cameraKeyOf, leaseKeyOf } from './camera-streams';
import { InprocBus } from './inproc-transport';
import { LinkChannel } from './link-channel';
import { createLinkClient, createLinkServer } from './link-factory';
import { LinkLedger } from './link-ledger';
import { LinkRouter } from './link-router';
import { RedisStreamsClient } from './redis-streams-client';
import { RedisStreamsServer } from './redis-streams-server';

jest.setTimeout(30_000);

const waitFor = (condition: () => boolean, what: string, timeoutMs = 10_000) => pollUntil(() => (condition() ? true : undefined), timeoutMs, what, 20);

describe('cameraKeyOf', () => {
  it('keeps plain camera ids and replaces any other by a digest without separators or glob characters', () => {
    expect(cameraKeyOf('a-gate_2.cam')).toBe('a-gate_2.cam');
    for (const odd of ['cam:1', 'cam*', 'x'.repeat(65), 'cam\nlease', '', '../lease:cam-1', 'caméra']) {
      const key = cameraKeyOf(odd);
      expect(key).toMatch(/^~[0-9a-f]{24}$/);
      expect(cameraKeyOf(odd)).toBe(key);
    }
    expect(cameraKeyOf('cam:1')).not.toBe(cameraKeyOf('cam*'));
  });
});

const frame = (cameraId: string, seq: number): FrameMessage =>
  Object.assign(new FrameMessage(), { v: SCHEMA_VERSION, cameraId, seq, capturedAt: Date.now(), width: 32, height: 32, changeScore: 0.5, kind: 'frame', jpeg: Buffer.alloc(64, seq % 255) });

let counter = 0;

/** A roof-side router and fog-side leased consumers on one per-camera roofToFog link in the machine's Redis. */
class LeasedLink {
  readonly ledger = new LinkLedger(new MetricsService());
  readonly bus = new InprocBus();
  readonly config: LinkConfig;
  readonly client: RedisStreamsClient;
  readonly router: LinkRouter;
  readonly servers: RedisStreamsServer[] = [];

  constructor(fields: Partial<LinkConfig> = {}) {
    counter += 1;
    this.config = Object.assign(new LinkConfig(), {
      transport: 'redis-streams', url: REDIS_URL, perCamera: true, stream: `sentinel-test:leases:${process.pid}:${Date.now()}:${counter}`, window: 4, timeoutMs: 5000, claimIdleMs: 1000,
    }, fields);
    this.client = createLinkClient('roofToFog', this.config, { ledger: this.ledger, bus: this.bus }) as RedisStreamsClient;
    this.router = new LinkRouter(new Map([['roofToFog', { channel: new LinkChannel('roofToFog', this.client, this.config, this.ledger), config: this.config, isFull: (m: object) => this.client.isFull(m) }]]), this.ledger);
  }

  async consumer(name: string, handler: (message: FrameMessage) => Promise<unknown>): Promise<RedisStreamsServer> {
    const server = createLinkServer('roofToFog', Object.assign(new LinkConfig(), this.config, { consumer: name }), { ledger: this.ledger, bus: this.bus, leases: { ttlMs: 900, renewMs: 150 } }) as RedisStreamsServer;
    server.addHandler(Patterns.FrameChanged, handler as never, false);
    await new Promise<void>((resolve) => server.listen(() => resolve()));
    this.servers.push(server);
    return server;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close()));
    await this.router.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${this.config.stream}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

describeWithService('REDIS', 'per-camera leases (real Redis)', () => {
  let link: LeasedLink | undefined;
  afterEach(async () => {
    await link?.close();
    link = undefined;
  });

  it('two consumers share four cameras, each camera read by one of them, every frame handled once', async () => {
    link = new LeasedLink();
    const handled = new Map<string, string[]>();
    const record = (name: string) => async (message: FrameMessage) => {
      handled.set(`${message.cameraId}/${message.seq}`, [...(handled.get(`${message.cameraId}/${message.seq}`) ?? []), name]);
      return { seq: message.seq };
    };
    const cameras = ['c1', 'c2', 'c3', 'c4'];
    for (const camera of cameras) expect(await link.router.emit(Patterns.FrameChanged, frame(camera, 0))).toBe('delivered');
    const one = await link.consumer('fog-1', record('fog-1'));
    const two = await link.consumer('fog-2', record('fog-2'));
    await waitFor(() => one.leaseStats()!.owned.length === 2 && two.leaseStats()!.owned.length === 2, 'a 2 + 2 split');
    for (let seq = 1; seq <= 10; seq += 1) for (const camera of cameras) await link.router.emit(Patterns.FrameChanged, frame(camera, seq));
    await waitFor(() => handled.size === 44, 'every frame handled');
    const owners = new Map<string, Set<string>>();
    for (const [subject, names] of handled) {
      expect(names).toHaveLength(1);
      const camera = subject.split('/')[0];
      owners.set(camera, new Set([...(owners.get(camera) ?? []), ...names]));
    }
    // After the split each camera's later frames were all handled by its one owner.
    const late = [...handled].filter(([subject]) => Number(subject.split('/')[1]) >= 1);
    for (const camera of cameras) expect(new Set(late.filter(([s]) => s.startsWith(`${camera}/`)).map(([, names]) => names[0])).size).toBe(1);
  });

  it('a lease lost while a frame is in hand: that consumer stops reading the camera, finishes the frame, and takes the camera again once it is free', async () => {
    link = new LeasedLink();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    const server = await link.consumer('fog-1', async (message) => {
      if (message.seq === 1) await gate;
      handled.push(message.seq);
      return { seq: message.seq };
    });
    await link.router.emit(Patterns.FrameChanged, frame('cam', 0));
    await waitFor(() => handled.includes(0), 'the first frame');
    await link.router.emit(Patterns.FrameChanged, frame('cam', 1)); // held by the handler
    await waitFor(() => server.leaseStats()!.owned.length === 1, 'the lease');
    const redis = new Redis(REDIS_URL);
    try {
      // Someone else holds the lease now (it expired and was taken meanwhile).
      await redis.set(leaseKeyOf(link.config.stream!, 'cam'), 'intruder', 'PX', 1500);
      await waitFor(() => server.leaseStats()!.counts.expired === 1, 'the lease lost');
      expect(server.leaseStats()!.owned).toEqual([]);
      await link.router.emit(Patterns.FrameChanged, frame('cam', 2));
      release();
      await waitFor(() => handled.includes(1), 'the frame in hand finished');
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(handled).not.toContain(2); // not read while another holds the lease
      // The other holder's lease runs out: the camera comes back and its frames are handled.
      await waitFor(() => handled.includes(2), 'frame 2 once the lease is free again', 10_000);
      expect(server.leaseStats()!.owned.map((owned) => owned.camera)).toEqual(['cam']);
    } finally {
      redis.disconnect();
    }
  });

  it('asks the producer for a whole frame: a resync reply rides on the next append\'s reply', async () => {
    link = new LeasedLink();
    const server = await link.consumer('fog-1', async (message) => ({ seq: message.seq, resync: message.seq === 1 ? true : undefined }));
    const replies: unknown[] = [];
    const onReply = (reply: unknown) => replies.push(reply);
    await link.router.emit(Patterns.FrameChanged, frame('cam', 0), { onReply });
    // Taking the camera set a request already (a new owner has no base frame).
    await waitFor(() => server.leaseStats()!.owned.length === 1, 'the lease');
    await link.router.emit(Patterns.FrameChanged, frame('cam', 1), { onReply });
    expect(replies.some((reply) => (reply as { resync?: boolean }).resync === true)).toBe(true);
    replies.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 500)); // frame 1 handled: its reply asked for a resync
    await link.router.emit(Patterns.FrameChanged, frame('cam', 2), { onReply });
    await link.router.emit(Patterns.FrameChanged, frame('cam', 3), { onReply });
    expect(replies.map((reply) => (reply as { resync?: boolean }).resync === true)).toEqual([true, false]);
  });

  it('a camera stream that filled up while no fog read it takes frames again once a fog has drained it', async () => {
    link = new LeasedLink({ maxLen: 10 });
    const outcomes: string[] = [];
    for (let seq = 0; seq < 14; seq += 1) outcomes.push(await link.router.emit(Patterns.FrameChanged, frame('cam', seq), { whenFull: 'drop' }));
    expect(outcomes.filter((outcome) => outcome === 'dropped').length).toBeGreaterThan(0);
    const handled: number[] = [];
    await link.consumer('fog-1', async (message) => {
      handled.push(message.seq);
      return { seq: message.seq };
    });
    await waitFor(() => handled.length === outcomes.filter((outcome) => outcome === 'delivered').length, 'the backlog handled');
    // Only droppable messages on this link: nothing else would read the backlog again.
    await pollUntil(async () => ((await link!.router.emit(Patterns.FrameChanged, frame('cam', 100), { whenFull: 'drop' })) === 'delivered' ? true : undefined), 5000, 'a frame taken again', 100);
    await waitFor(() => handled.includes(100), 'the new frame handled');
    // In order: a camera's stream is handled one entry at a time.
    expect(handled).toEqual([...handled].sort((a, b) => a - b));
  });
});
