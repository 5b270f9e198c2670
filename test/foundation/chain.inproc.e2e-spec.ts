import { createSentinelApp, SentinelApp } from '@sentinel/app';
import { loadConfig } from '@sentinel/config';
import { LinkName, LinkNames } from '@sentinel/contracts';
import { StubInbox, expectedAlertDigest, stubFrame, stubModules } from '@sentinel/testing';
import { LinkEmitter } from '@sentinel/transport';
import { TEST_KEY_SETS, apiFetch } from '../support/api-key';

/** Every link: sent == received, in messages and bytes, for every pattern and camera. */
export function expectLedgerBalanced(snapshot: ReturnType<SentinelApp['ledger']['snapshot']>, links: readonly LinkName[] = LinkNames): void {
  for (const link of links) {
    const traffic = snapshot[link];
    expect(traffic).toBeDefined();
    expect(traffic.received).toEqual(traffic.sent);
    for (const [pattern, cameras] of Object.entries(traffic.byPattern)) {
      for (const [camera, cell] of Object.entries(cameras)) {
        expect({ link, pattern, camera, ...cell.received }).toEqual({ link, pattern, camera, ...cell.sent });
      }
    }
  }
}

describe('message chain roof -> fog -> cloud -> notification in one process (inproc)', () => {
  let sentinel: SentinelApp;

  beforeAll(async () => {
    sentinel = await createSentinelApp(loadConfig({ sets: ['http.port=0', 'http.host=127.0.0.1', ...TEST_KEY_SETS] }), { registry: stubModules, logger: ['error'] });
  });

  afterAll(async () => {
    await sentinel?.close();
  });

  it('delivers every message intact and the byte counters agree on both ends', async () => {
    const links = sentinel.app.get(LinkEmitter);
    const frames = Array.from({ length: 12 }, (_, seq) => stubFrame(seq % 3 === 2 ? 'cam-b' : 'cam-a', seq, 50_000));
    const outcomes = await Promise.all(frames.map((frame) => links.emit('frame.changed', frame, { whenFull: 'wait' })));
    expect(outcomes).toEqual(frames.map(() => 'delivered'));
    await sentinel.router.drain();

    const inbox = sentinel.app.get(StubInbox);
    expect([...inbox.alerts].sort()).toEqual(frames.map(expectedAlertDigest).sort());
    expect(inbox.identities).toHaveLength(frames.length);

    const ledger = sentinel.ledger.snapshot();
    expectLedgerBalanced(ledger);
    expect(ledger.roofToFog.byPattern['frame.changed']['cam-a'].sent.messages).toBe(8);
    expect(ledger.roofToFog.byPattern['frame.changed']['cam-b'].sent.messages).toBe(4);
    expect(ledger.notification.byPattern.alert['cam-a'].received.messages).toBe(8);
  });

  it('serves health, Prometheus metrics with the link counters, and OpenAPI docs', async () => {
    const base = `http://127.0.0.1:${sentinel.port}`;
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; info: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.info)).toEqual(expect.arrayContaining(['link:roofToFog:producer', 'link:roofToFog:consumer', 'link:notification:consumer']));

    const metrics = await (await apiFetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/sentinel_link_bytes_total\{link="roofToFog",pattern="frame.changed",camera="cam-a",direction="sent"\} \d+/);
    expect((await fetch(`${base}/docs-json`)).status).toBe(200);

    const stats = (await (await apiFetch(`${base}/stats`)).json()) as { links: Record<string, unknown>; stages: Record<string, { count: number; p50: number }> };
    expect(Object.keys(stats.links)).toEqual(expect.arrayContaining(['roofToFog', 'fogToCloud', 'notification']));
    expect(stats.stages['link.roofToFog'].count).toBe(12);
    expect(stats.stages['link.roofToFog'].p50).toBeGreaterThanOrEqual(0);
  });
});
