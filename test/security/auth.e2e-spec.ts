import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_API_KEY, TEST_KEY_HEADERS } from '../support/api-key';
import { TierProcess, startProcess } from '../support/processes';
import { LOOPBACK, tcpLinkSets, tempDir } from './support';

type Tier = 'roof' | 'fog' | 'cloud';

/**
 * Real tiers (node dist/main) as three OS processes over TCP links: every route but /health* needs the
 * key, deletes included; the OpenAPI document declares the scheme on exactly those routes.
 */
describe('API key on every tier (real processes)', () => {
  jest.setTimeout(120_000);
  const dirs = { roof: tempDir('auth-roof-'), fog: tempDir('auth-fog-'), cloud: tempDir('auth-cloud-') };
  const tiers: Partial<Record<Tier, TierProcess>> = {};
  const base = (tier: Tier) => `http://127.0.0.1:${tiers[tier]!.port}`;

  beforeAll(async () => {
    const links = await tcpLinkSets();
    for (const tier of ['cloud', 'fog'] as const) {
      tiers[tier] = await startProcess('main.js', [`--tier=${tier}`, ...LOOPBACK, ...links, `--set=dataDir=${dirs[tier].dir}`]);
    }
    // The roof runs without a configured key: it generates one into its data folder.
    tiers.roof = await startProcess('main.js', ['--tier=roof', ...LOOPBACK, ...links, `--set=dataDir=${dirs.roof.dir}`, '--set=http.metricsOpen=true'], {
      SENTINEL_HTTP__APIKEYS: undefined,
    });
  });

  afterAll(async () => {
    await Promise.all(Object.values(tiers).map((tier) => tier?.stop()));
    for (const dir of Object.values(dirs)) dir.remove();
  });

  it('answers 401 without a key or with a wrong one, 200 with it (header or bearer), and keeps /health public', async () => {
    for (const tier of ['fog', 'cloud'] as const) {
      expect((await fetch(`${base(tier)}/stats`)).status).toBe(401);
      expect((await fetch(`${base(tier)}/stats`, { headers: { 'x-api-key': `${TEST_API_KEY}x` } })).status).toBe(401);
      expect((await fetch(`${base(tier)}/metrics`)).status).toBe(401);
      expect((await fetch(`${base(tier)}/stats`, { headers: TEST_KEY_HEADERS })).status).toBe(200);
      expect((await fetch(`${base(tier)}/stats`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).status).toBe(200);
      expect([200, 503]).toContain((await fetch(`${base(tier)}/health`)).status);
    }
    const unauthorized = await fetch(`${base('fog')}/cameras/any/latest.jpg`);
    expect(unauthorized.status).toBe(401);
    expect(((await unauthorized.json()) as { message: string }).message).toMatch(/API key is required/);
    expect((await fetch(`${base('fog')}/cameras/any/latest.jpg`, { headers: TEST_KEY_HEADERS })).status).toBe(404);
  });

  it('protects reads, writes and deletes of the cloud', async () => {
    const people = `${base('cloud')}/people`;
    const json = { ...TEST_KEY_HEADERS, 'content-type': 'application/json' };
    expect((await fetch(people, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"mallory"}' })).status).toBe(401);
    const created = await fetch(people, { method: 'POST', headers: json, body: '{"name":"alice"}' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(people)).status).toBe(401);
    expect((await fetch(`${people}/${id}`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${people}/${id}`, { headers: TEST_KEY_HEADERS })).status).toBe(200);
    expect((await fetch(`${people}/${id}`, { method: 'DELETE', headers: TEST_KEY_HEADERS })).status).toBe(204);
    expect((await fetch(`${people}/${id}`, { headers: TEST_KEY_HEADERS })).status).toBe(404);
    expect((await fetch(`${base('cloud')}/unknowns/unknown-1`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${base('cloud')}/events`)).status).toBe(401);
    expect((await fetch(`${base('cloud')}/events`, { headers: TEST_KEY_HEADERS })).status).toBe(200);
  });

  it('exchanges the key for an HttpOnly SameSite=Strict session cookie and clears it', async () => {
    const session = `${base('cloud')}/auth/session`;
    const post = (body: string) => fetch(session, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post('{"key":"wrong"}')).status).toBe(401);
    expect((await post('{"key":42}')).status).toBe(401);
    expect((await post('{}')).status).toBe(401);
    const opened = await post(JSON.stringify({ key: TEST_API_KEY }));
    expect(opened.status).toBe(204);
    const cookie = opened.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sentinel_key=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    const pair = cookie.split(';')[0];
    expect((await fetch(`${base('cloud')}/people`, { headers: { cookie: pair } })).status).toBe(200);
    const closed = await fetch(session, { method: 'DELETE', headers: { cookie: pair } });
    expect(closed.status).toBe(204);
    expect(closed.headers.get('set-cookie')).toMatch(/^sentinel_key=; Max-Age=0;/);
  });

  it('generates a key at first boot into <dataDir>/api-key (mode 0600) and never logs it', async () => {
    const file = join(dirs.roof.dir, 'api-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = readFileSync(file, 'utf8').trim();
    expect(tiers.roof!.output()).toContain(file);
    expect(tiers.roof!.output()).not.toContain(key);
    expect((await fetch(`${base('roof')}/stats`, { headers: TEST_KEY_HEADERS })).status).toBe(401);
    expect((await fetch(`${base('roof')}/stats`, { headers: { 'x-api-key': key } })).status).toBe(200);
    // http.metricsOpen: Prometheus scrapes without a key.
    expect((await fetch(`${base('roof')}/metrics`)).status).toBe(200);
  });

  it('declares the scheme in OpenAPI on every secured route and none on the public ones', async () => {
    const document = (await (await fetch(`${base('cloud')}/docs-json`)).json()) as {
      components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect(document.components.securitySchemes.apiKey).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }));
    expect(document.components.securitySchemes.sessionCookie).toEqual(expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'sentinel_key' }));
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThan(10);
    for (const { path, method, op } of operations) {
      const open = path.startsWith('/health') || path === '/auth/session';
      expect({ path, method, secured: (op.security ?? []).length > 0 }).toEqual({ path, method, secured: !open });
    }
    expect(operations.some((o) => o.method === 'delete' && o.path.startsWith('/people'))).toBe(true);
  });

  it('sends no CORS header to another origin (closed by default)', async () => {
    const headers = { origin: 'http://evil.example', 'access-control-request-method': 'DELETE' };
    const preflight = await fetch(`${base('cloud')}/people/x`, { method: 'OPTIONS', headers });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${base('cloud')}/people`, { headers: { ...TEST_KEY_HEADERS, origin: 'http://evil.example' } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });
});
