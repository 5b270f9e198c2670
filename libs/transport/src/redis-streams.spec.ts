import Redis from 'ioredis';
import { LinkConfig } from '@sentinel/config';
import { AlertMessage, FaceCropMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { REDIS_URL, StreamsTestLink, describeWithService, tinyFrameMessage, waitFor } from '@sentinel/testing';

jest.setTimeout(30_000);

const alert = (id: string): AlertMessage =>
  Object.assign(new AlertMessage(), { v: SCHEMA_VERSION, cameraId: 'cam', capturedAt: 1, id, kind: 'intruder', at: 2, snapshot: Buffer.alloc(2000, 7) });

const crop = Object.assign(new FaceCropMessage(), {
  v: SCHEMA_VERSION, cameraId: 'cam', capturedAt: 1, seq: 1, trackId: 1, kind: 'face', jpeg: Buffer.alloc(100, 1), personBox: { x: 0, y: 0, width: 10, height: 20 }, personScore: 0.9,
});

let streamCounter = 0;

function streamsConfig(fields: Partial<LinkConfig> = {}): LinkConfig {
  streamCounter += 1;
  return Object.assign(new LinkConfig(), {
    transport: 'redis-streams',
    url: REDIS_URL,
    stream: `sentinel-test:${process.pid}:${Date.now()}:${streamCounter}`,
    window: 8,
    timeoutMs: 10_000,
    claimIdleMs: 300,
    consumer: 'first',
  }, fields);
}

describeWithService('REDIS', 'redis-streams link driver (real Redis)', () => {
  let link: StreamsTestLink | undefined;
  afterEach(async () => {
    await link?.close();
    link = undefined;
  });

  it('delivers through a consumer group, acknowledges after the handler, and both ends count the same wire bytes', async () => {
    link = new StreamsTestLink('notification', streamsConfig());
    const received: string[] = [];
    await link.consume({ [Patterns.Alert]: async (message: AlertMessage) => void received.push(message.id) });
    const outcomes = await Promise.all(['alert-0001', 'alert-0002', 'alert-0003'].map((id) => link!.router.emit(Patterns.Alert, alert(id))));
    expect(outcomes).toEqual(['delivered', 'delivered', 'delivered']);
    await waitFor(() => (received.length === 3 ? true : undefined), 10_000, 'three alerts handled');
    expect(received.sort()).toEqual(['alert-0001', 'alert-0002', 'alert-0003']);
    const redis = new Redis(REDIS_URL);
    try {
      await waitFor(async () => ((await redis.xpending(link!.config.stream!, 'sentinel-notification'))[0] === 0 ? true : undefined), 5000, 'nothing pending');
    } finally {
      redis.disconnect();
    }
    const traffic = link.ledger.snapshot().notification;
    expect(traffic.sent.messages).toBe(3);
    expect(traffic.received).toEqual(traffic.sent);
    expect(traffic.sent.bytes).toBeGreaterThan(3 * 2000);
  });

  it('handles a message appended twice once (same alert id)', async () => {
    link = new StreamsTestLink('notification', streamsConfig());
    const received: string[] = [];
    const server = await link.consume({ [Patterns.Alert]: async (message: AlertMessage) => void received.push(message.id) });
    await link.router.emit(Patterns.Alert, alert('alert-twice'));
    await link.router.emit(Patterns.Alert, alert('alert-twice'));
    await waitFor(() => (server.stats().duplicate === 1 ? true : undefined), 10_000, 'the second copy acknowledged as duplicate');
    expect(received).toEqual(['alert-twice']);
  });

  it('gives the emits of a handler that ran twice (died before acknowledging) the same keys: one effect downstream', async () => {
    const notifications = new StreamsTestLink('notification', streamsConfig());
    link = new StreamsTestLink('fogToCloud', streamsConfig());
    try {
      const alerts: string[] = [];
      await notifications.consume({ [Patterns.Alert]: async (message: AlertMessage) => void alerts.push(message.id) });
      let runs = 0;
      await link.consume({
        [Patterns.FaceCrop]: async () => {
          runs += 1;
          // A fresh random id each run, as the cloud makes one: the key comes from the crop, not the alert.
          expect(await notifications.router.emit(Patterns.Alert, alert(`alert-${Math.random().toString(36).slice(2, 12)}`))).toBe('delivered');
          if (runs === 1) throw new Error('died before acknowledging');
        },
      });
      await link.router.emit(Patterns.FaceCrop, crop);
      await waitFor(() => (runs === 2 ? true : undefined), 10_000, 'the crop handled a second time');
      await waitFor(() => (notifications.servers[0].stats().duplicate === 1 ? true : undefined), 10_000, 'the second alert recognised');
      expect(alerts).toHaveLength(1);
    } finally {
      await notifications.close();
    }
  });

  it('keeps a failed message pending, retries it after claimIdleMs, and dead-letters it after maxDeliveries', async () => {
    link = new StreamsTestLink('notification', streamsConfig({ maxDeliveries: 3 }));
    let attempts = 0;
    const handled: string[] = [];
    const server = await link.consume({
      [Patterns.Alert]: async (message: AlertMessage) => {
        attempts += 1;
        if (message.id === 'alert-flaky' && attempts < 2) throw new Error('database busy');
        if (message.id === 'alert-broken') throw new Error('always fails');
        handled.push(message.id);
      },
    });
    await link.router.emit(Patterns.Alert, alert('alert-flaky'));
    await waitFor(() => (handled.includes('alert-flaky') ? true : undefined), 10_000, 'the flaky alert handled on its second attempt');
    // Counted once the acknowledgement is back from Redis, a round trip after the handler returned.
    await waitFor(() => (server.stats().reclaimed === 1 ? true : undefined), 5_000, 'the re-claimed entry acknowledged');
    expect(server.stats()).toMatchObject({ retry: 1, reclaimed: 1 });
    await link.router.emit(Patterns.Alert, alert('alert-broken'));
    await waitFor(() => (server.stats()['dead-letter'] === 1 ? true : undefined), 15_000, 'the broken alert dead-lettered');
    const redis = new Redis(REDIS_URL);
    try {
      const dead = await redis.xrange(`${link.config.stream}:dead`, '-', '+');
      expect(dead).toHaveLength(1);
      expect(dead[0][1]).toEqual(expect.arrayContaining(['reason', expect.stringContaining('always fails')]));
    } finally {
      redis.disconnect();
    }
  });

  it('re-claims what a dead consumer left pending (XAUTOCLAIM) and handles it on another consumer', async () => {
    link = new StreamsTestLink('notification', streamsConfig());
    await link.router.emit(Patterns.Alert, alert('alert-orphan'));
    // A consumer that read the entry and died before acknowledging it (the producer created the group).
    const redis = new Redis(REDIS_URL);
    try {
      const read = await redis.xreadgroup('GROUP', 'sentinel-notification', 'dead-one', 'COUNT', 10, 'STREAMS', link.config.stream!, '>');
      expect(read).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
    const received: string[] = [];
    const server = await link.consume({ [Patterns.Alert]: async (message: AlertMessage) => void received.push(message.id) }, { consumer: 'survivor' });
    await waitFor(() => (received.length > 0 ? true : undefined), 10_000, 'the orphan handled');
    expect(received).toEqual(['alert-orphan']);
    await waitFor(() => (server.stats().reclaimed === 1 ? true : undefined), 5_000, 'the orphan acknowledged as re-claimed');
  });

  it('counts and dead-letters a malformed entry, and keeps consuming', async () => {
    link = new StreamsTestLink('notification', streamsConfig());
    const received: string[] = [];
    await link.consume({ [Patterns.Alert]: async (message: AlertMessage) => void received.push(message.id) });
    const redis = new Redis(REDIS_URL);
    try {
      await redis.xadd(link.config.stream!, '*', 'p', 'alert', 'k', 'x', 'b', Buffer.from([0xc1, 0xc1]));
      await redis.xadd(link.config.stream!, '*', 'nothing', 'here');
    } finally {
      redis.disconnect();
    }
    await link.router.emit(Patterns.Alert, alert('alert-after-garbage'));
    await waitFor(() => (received.length > 0 ? true : undefined), 10_000, 'the valid alert handled');
    expect(link.ledger.snapshot().notification.malformed).toMatchObject({ undecodable: 1, 'not a packet': 1 });
  });

  it('bounds the stream: a droppable message is dropped (counted) while maxLen entries are unacknowledged, a durable one waits for room', async () => {
    link = new StreamsTestLink('roofToFog', streamsConfig({ maxLen: 10, window: 4 }));
    const outcomes: string[] = [];
    for (let seq = 0; seq < 30; seq += 1) outcomes.push(await link.router.emit(Patterns.FrameChanged, tinyFrameMessage(seq), { whenFull: 'wait' }));
    const redis = new Redis(REDIS_URL);
    try {
      expect(outcomes.filter((o) => o === 'delivered').length).toBeGreaterThanOrEqual(10);
      expect(outcomes.filter((o) => o === 'dropped').length).toBeGreaterThan(0);
      expect(await redis.xlen(link.config.stream!)).toBeLessThanOrEqual(20);
      expect(link.ledger.snapshot().roofToFog.outcomes.dropped).toBe(outcomes.filter((o) => o === 'dropped').length);
    } finally {
      redis.disconnect();
    }
    // Consuming makes room again.
    const received: number[] = [];
    await link.consume({ [Patterns.FrameChanged]: async (message: { seq: number }) => void received.push(message.seq) });
    await waitFor(() => (received.length === outcomes.filter((o) => o === 'delivered').length ? true : undefined), 10_000, 'every appended frame handled');
  });

  it('never trims a durable message nobody acknowledged: past maxLen its producer waits until the consumer makes room', async () => {
    link = new StreamsTestLink('notification', streamsConfig({ maxLen: 10 }));
    const ids = Array.from({ length: 25 }, (_, i) => `alert-${String(i).padStart(4, '0')}`);
    const outcomes = Promise.all(ids.map((id) => link!.router.emit(Patterns.Alert, alert(id))));
    const redis = new Redis(REDIS_URL);
    try {
      await waitFor(async () => ((await redis.xlen(link!.config.stream!)) >= 10 ? true : undefined), 5000, 'the stream filled');
      expect(await redis.xlen(link.config.stream!)).toBeLessThan(25);
    } finally {
      redis.disconnect();
    }
    const received: string[] = [];
    const server = await link.consume({ [Patterns.Alert]: async (message: AlertMessage) => void received.push(message.id) });
    expect(await outcomes).toEqual(ids.map(() => 'delivered'));
    await waitFor(() => (received.length === ids.length ? true : undefined), 10_000, 'every alert handled');
    expect(received.sort()).toEqual(ids);
    expect(server.stats().trimmed).toBe(0);
  });
});
