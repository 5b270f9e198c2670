import Redis from 'ioredis';
import { LinkConfig } from '@sentinel/config';
import { FrameMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { REDIS_URL, StreamsTestLink, describeWithService, waitFor as pollUntil } from '@sentinel/testing';
import { cameraKeyOf, leaseKeyOf } from './camera-streams';

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
function leasedLink(fields: Partial<LinkConfig> = {}): StreamsTestLink {
  counter += 1;
  const config = Object.assign(new LinkConfig(), {
    transport: 'redis-streams', url: REDIS_URL, perCamera: true, stream: `sentinel-test:leases:${process.pid}:${Date.now()}:${counter}`, window: 4, timeoutMs: 5000, claimIdleMs: 1000,
  }, fields);
  return new StreamsTestLink('roofToFog', config, { ttlMs: 900, renewMs: 150 });
}

/** A leased consumer named `name` handling the link's frames. */
const consumer = (link: StreamsTestLink, name: string, handler: (message: FrameMessage) => Promise<unknown>) => link.consume({ [Patterns.FrameChanged]: handler as never }, { consumer: name });

describeWithService('REDIS', 'per-camera leases (real Redis)', () => {
  let link: StreamsTestLink | undefined;
  afterEach(async () => {
    await link?.close();
    link = undefined;
  });

  it('two consumers share four cameras, each camera read by one of them, every frame handled once', async () => {
    link = leasedLink();
    const handled = new Map<string, string[]>();
    const record = (name: string) => async (message: FrameMessage) => {
      handled.set(`${message.cameraId}/${message.seq}`, [...(handled.get(`${message.cameraId}/${message.seq}`) ?? []), name]);
      return { seq: message.seq };
    };
    const cameras = ['c1', 'c2', 'c3', 'c4'];
    for (const camera of cameras) expect(await link.router.emit(Patterns.FrameChanged, frame(camera, 0))).toBe('delivered');
    const one = await consumer(link, 'fog-1', record('fog-1'));
    const two = await consumer(link, 'fog-2', record('fog-2'));
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
    link = leasedLink();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    const server = await consumer(link, 'fog-1', async (message) => {
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
    link = leasedLink();
    const server = await consumer(link, 'fog-1', async (message) => ({ seq: message.seq, resync: message.seq === 1 ? true : undefined }));
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
    link = leasedLink({ maxLen: 10 });
    const outcomes: string[] = [];
    for (let seq = 0; seq < 14; seq += 1) outcomes.push(await link.router.emit(Patterns.FrameChanged, frame('cam', seq), { whenFull: 'drop' }));
    expect(outcomes.filter((outcome) => outcome === 'dropped').length).toBeGreaterThan(0);
    const handled: number[] = [];
    await consumer(link, 'fog-1', async (message) => {
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
