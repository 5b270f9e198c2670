import { Socket, connect } from 'node:net';
import Redis from 'ioredis';
import { encodePacket } from '@sentinel/transport';
import { MetricSample, REDIS_URL, TierProcess, apiFetch, describeWithService, expectedAlertDigest, fetchMetrics, freePort, startProcess, stubFrame, waitFor } from '@sentinel/testing';

const FRAMES = 30;
const STUB_ENTRY = 'test/support/stub-tier.js';
jest.setTimeout(120_000);

type LinkArgs = string[];

async function tcpLinks(): Promise<LinkArgs> {
  const args: string[] = [];
  for (const link of ['roofToFog', 'fogToCloud', 'notification']) {
    args.push(`--set=links.${link}.transport=tcp`, `--set=links.${link}.host=127.0.0.1`, `--set=links.${link}.port=${await freePort()}`);
  }
  return args;
}

function redisLinks(): LinkArgs {
  return ['roofToFog', 'fogToCloud', 'notification'].flatMap((link) => [`--set=links.${link}.transport=redis`, `--set=links.${link}.url=${REDIS_URL}`]);
}

/** Starts cloud, fog and roof (in that order) as three OS processes; the roof sends FRAMES stub frames. */
async function startTiers(links: LinkArgs): Promise<Record<'roof' | 'fog' | 'cloud', TierProcess>> {
  const common = ['--port=0', '--set=http.host=127.0.0.1', ...links];
  const cloud = await startProcess(STUB_ENTRY, ['--tier=cloud', ...common]);
  const fog = await startProcess(STUB_ENTRY, ['--tier=fog', ...common]);
  const roof = await startProcess(STUB_ENTRY, ['--tier=roof', ...common], { STUB_FRAMES: String(FRAMES), STUB_FRAME_BYTES: '50000' });
  return { roof, fog, cloud };
}

type Cell = { messages: number; bytes: number };

/** Sums link counters of several processes by link/pattern/camera/direction. */
function linkTotals(samples: MetricSample[][]): Map<string, Cell> {
  const totals = new Map<string, Cell>();
  for (const sample of samples.flat()) {
    const kind = sample.name === 'sentinel_link_messages_total' ? 'messages' : sample.name === 'sentinel_link_bytes_total' ? 'bytes' : undefined;
    if (!kind) continue;
    const { link, pattern, camera, direction } = sample.labels;
    const key = `${link}|${pattern}|${camera}|${direction}`;
    const cell = totals.get(key) ?? { messages: 0, bytes: 0 };
    cell[kind] += sample.value;
    totals.set(key, cell);
  }
  return totals;
}

function expectSentEqualsReceived(totals: Map<string, Cell>): void {
  const sent = [...totals].filter(([key]) => key.endsWith('|sent'));
  expect(sent.length).toBeGreaterThan(0);
  for (const [key, cell] of sent) {
    const receivedKey = key.replace(/\|sent$/, '|received');
    expect({ key, ...totals.get(receivedKey) }).toEqual({ key, ...cell });
  }
}

function malformedCount(samples: MetricSample[], link: string): number {
  return samples.filter((s) => s.name === 'sentinel_link_malformed_total' && s.labels.link === link).reduce((sum, s) => sum + s.value, 0);
}

async function expectChainDelivered(tiers: Record<'roof' | 'fog' | 'cloud', TierProcess>): Promise<void> {
  const expected = Array.from({ length: FRAMES }, (_, seq) => expectedAlertDigest(stubFrame(seq % 3 === 2 ? 'cam-b' : 'cam-a', seq, 50_000))).sort();
  const state = await waitFor(async () => {
    const body = (await (await apiFetch(`http://127.0.0.1:${tiers.cloud.port}/stub/state`)).json()) as { alerts: string[]; identities: string[] };
    return body.alerts.length >= FRAMES ? body : undefined;
  }, 60_000, `${FRAMES} alerts at the notification stub`);
  expect([...state.alerts].sort()).toEqual(expected);
  expect(state.identities).toHaveLength(FRAMES);

  // Acks travel after the handler finishes: wait until the roof has no frame in flight any more.
  await waitFor(async () => {
    const roofSent = (await fetchMetrics(tiers.roof.port)).filter((s) => s.name === 'sentinel_link_emit_outcomes_total' && s.labels.outcome === 'delivered');
    return roofSent.reduce((sum, s) => sum + s.value, 0) >= FRAMES ? true : undefined;
  }, 30_000, 'roof acknowledgements');
  const totals = linkTotals(await Promise.all([tiers.roof, tiers.fog, tiers.cloud].map((tier) => fetchMetrics(tier.port))));
  expectSentEqualsReceived(totals);
  expect(totals.get('roofToFog|frame.changed|cam-a|sent')!.messages).toBe(20);
  expect(totals.get('roofToFog|frame.changed|cam-b|sent')!.messages).toBe(10);
  expect(totals.get('fogToCloud|face.crop|cam-a|received')!.messages).toBe(20);
}

function sendFramed(socket: Socket, body: Buffer): void {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  socket.write(Buffer.concat([header, body]));
}

describe('message chain over TCP between three OS processes', () => {
  let tiers: Record<'roof' | 'fog' | 'cloud', TierProcess>;
  let fogPort: number;

  beforeAll(async () => {
    const links = await tcpLinks();
    fogPort = Number(links.find((arg) => arg.startsWith('--set=links.roofToFog.port='))!.split('=').pop());
    tiers = await startTiers(links);
  });

  afterAll(async () => {
    await Promise.all(Object.values(tiers ?? {}).map((tier) => tier.stop()));
  });

  it('delivers every message intact and both ends count the same bytes', async () => {
    await expectChainDelivered(tiers);
  });

  it('counts and drops garbage, answers malformed requests with an error, and keeps running', async () => {
    const before = malformedCount(await fetchMetrics(tiers.fog.port), 'roofToFog');
    const socket = connect(fogPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const replies: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => replies.push(chunk));
    sendFramed(socket, Buffer.from([0xc1, 0xc1, 0xc1])); // 0xc1 is never used in MessagePack
    sendFramed(socket, encodePacket({ pattern: 'frame.changed', id: 'bad-1', data: { v: 1, cameraId: 'cam-a', seq: -4 } }));
    sendFramed(socket, encodePacket({ pattern: 'frame.changed', data: 'not an object' }));
    await waitFor(async () => (malformedCount(await fetchMetrics(tiers.fog.port), 'roofToFog') >= before + 3 ? true : undefined), 10_000, 'malformed counter');
    await waitFor(() => (Buffer.concat(replies).includes('malformed frame.changed') ? true : undefined), 10_000, 'an error reply');
    socket.destroy();
    expect((await fetch(`http://127.0.0.1:${tiers.fog.port}/health`)).status).toBe(200);
  });
});

describeWithService('REDIS', 'message chain over Redis between three OS processes', () => {
  let tiers: Record<'roof' | 'fog' | 'cloud', TierProcess>;

  beforeAll(async () => {
    tiers = await startTiers(redisLinks());
  });

  afterAll(async () => {
    await Promise.all(Object.values(tiers ?? {}).map((tier) => tier.stop()));
  });

  it('delivers every message intact and both ends count the same bytes', async () => {
    await expectChainDelivered(tiers);
  });

  it('counts and drops garbage published on a link channel, and keeps running', async () => {
    const before = malformedCount(await fetchMetrics(tiers.fog.port), 'roofToFog');
    const redis = new Redis(REDIS_URL);
    try {
      await redis.publish('frame.changed', Buffer.from([0xc1, 0x00, 0xff]));
      await redis.publish('frame.changed', encodePacket({ pattern: 'frame.changed', data: { v: 99 } }));
      await redis.publish('frame.changed', 'plain text, not MessagePack at all');
    } finally {
      redis.disconnect();
    }
    await waitFor(async () => (malformedCount(await fetchMetrics(tiers.fog.port), 'roofToFog') >= before + 3 ? true : undefined), 10_000, 'malformed counter');
    expect((await fetch(`http://127.0.0.1:${tiers.fog.port}/health`)).status).toBe(200);
  });
});
