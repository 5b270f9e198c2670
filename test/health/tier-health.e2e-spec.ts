import { createSentinelApp, SentinelApp } from '@sentinel/app';
import { loadConfig } from '@sentinel/config';
import { freePort, waitFor } from '@sentinel/testing';
import { stubModules } from '../support/stub-modules';
import { startRedis, stopRedis } from './redis-server';

interface HealthAnswer {
  code: number;
  body: { status: string; reasons: string[]; info?: Record<string, { status: string }>; error?: Record<string, { status: string; reason?: string }> };
}

async function get(app: SentinelApp, path: string): Promise<HealthAnswer> {
  const response = await fetch(`http://127.0.0.1:${app.port}${path}`);
  return { code: response.status, body: (await response.json()) as HealthAnswer['body'] };
}

/** Polls a health route until `accept` holds (probes of peers are cached for a second). */
const until = (app: SentinelApp, path: string, accept: (a: HealthAnswer) => boolean, what: string) =>
  waitFor(async () => {
    const answer = await get(app, path);
    return accept(answer) ? answer : undefined;
  }, 15_000, what);

const boot = (tier: string, links: string[]) =>
  createSentinelApp(loadConfig({ sets: [`tier=${tier}`, 'http.port=0', 'http.host=127.0.0.1', ...links] }), { registry: stubModules, logger: false });

const tcpLinks = (ports: Record<string, number>) =>
  Object.entries(ports).flatMap(([link, port]) => [`links.${link}.transport=tcp`, `links.${link}.host=127.0.0.1`, `links.${link}.port=${port}`]);

describe('/health, /health/live and /health/ready tell the truth', () => {
  const apps: SentinelApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
  });

  it('a roof whose fog is not listening: live, ready, but degraded with "fog unreachable"; ok once the fog is up', async () => {
    const ports = { roofToFog: await freePort(), fogToCloud: await freePort(), notification: await freePort() };
    const roof = await boot('roof', tcpLinks(ports));
    apps.push(roof);
    expect(await get(roof, '/health/live')).toMatchObject({ code: 200, body: { status: 'up' } });
    const ready = await get(roof, '/health/ready');
    expect(ready).toMatchObject({ code: 200, body: { status: 'degraded' } });
    expect(ready.body.reasons).toContainEqual(`link:roofToFog:producer: peer unreachable: 127.0.0.1:${ports.roofToFog} unreachable (ECONNREFUSED)`);
    const combined = await get(roof, '/health');
    expect(combined).toMatchObject({ code: 200, body: { status: 'degraded' } });
    expect(combined.body.error?.['link:roofToFog:producer']).toMatchObject({ status: 'down' });

    // The fog (and the cloud, for the roof's alerts) come up: the roof sees them by itself.
    apps.push(await boot('fog', tcpLinks(ports)), await boot('cloud', tcpLinks(ports)));
    const ok = await until(roof, '/health/ready', (a) => a.body.status === 'ok', 'the roof to see its peers');
    expect(ok).toEqual({ code: 200, body: { status: 'ok', reasons: [] } });
    expect((await get(roof, '/health')).body.status).toBe('ok');
  });

  it('a cloud whose Redis stops: 503 not ready with the reason (still live); ready again when Redis is back', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    try {
      const cloud = await boot('cloud', ['fogToCloud', 'notification'].flatMap((link) => [`links.${link}.transport=redis`, `links.${link}.url=${url}`]));
      apps.push(cloud);
      await until(cloud, '/health/ready', (a) => a.code === 200 && a.body.status === 'ok', 'the cloud connected to its Redis');

      await stopRedis(redis);
      const down = await until(cloud, '/health/ready', (a) => a.code === 503, 'the cloud unready without Redis');
      expect(down.body.status).toBe('down');
      expect(down.body.reasons).toContainEqual(expect.stringMatching(new RegExp(`^link:fogToCloud:consumer: broker 127.0.0.1:${port} not connected`)));
      expect((await get(cloud, '/health')).code).toBe(503);
      expect(await get(cloud, '/health/live')).toMatchObject({ code: 200, body: { status: 'up' } });

      redis = await startRedis(port);
      await until(cloud, '/health/ready', (a) => a.code === 200 && a.body.status === 'ok', 'the cloud reconnected by itself');
    } finally {
      await stopRedis(redis);
    }
  }, 60_000);
});
