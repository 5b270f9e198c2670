import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@sentinel/config';
import { ApiKeySet, cookieValue, presentedKey, resolveApiKeys, sessionCookie } from './api-key';
import { isPublicRoute, routeTemplate } from './public-routes';
import { Slots } from './upload-slots';

describe('API keys', () => {
  it('accepts only configured keys, of any length, compared over digests', () => {
    const keys = new ApiKeySet(['first-key', 'second']);
    expect(keys.matches('first-key')).toBe(true);
    expect(keys.matches('second')).toBe(true);
    expect(keys.matches('first-ke')).toBe(false);
    expect(keys.matches('first-key ')).toBe(false);
    expect(keys.matches('')).toBe(false);
    expect(keys.matches(undefined)).toBe(false);
    expect(keys.matches('x'.repeat(100_000))).toBe(false);
  });

  it('reads the key from x-api-key, a bearer token or the session cookie', () => {
    expect(presentedKey({ 'x-api-key': 'k1' })).toBe('k1');
    expect(presentedKey({ authorization: 'Bearer k2' })).toBe('k2');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({ cookie: 'a=1; sentinel_key=k%203; b=2' })).toBe('k 3');
    expect(cookieValue('sentinel_key=%E0%A4%A', 'sentinel_key')).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });

  it('sets an HttpOnly SameSite=Strict cookie (Secure over HTTPS) and clears it', () => {
    expect(sessionCookie('k', false)).toBe('sentinel_key=k; Path=/; HttpOnly; SameSite=Strict');
    expect(sessionCookie('k', true)).toMatch(/; Secure$/);
    expect(sessionCookie('', false)).toMatch(/^sentinel_key=; Max-Age=0;/);
  });

  it('generates one key into <dataDir>/api-key with mode 0600 and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-key-'));
    try {
      const first = resolveApiKeys([], dir);
      const file = join(dir, 'api-key');
      expect(first.generatedFile).toBe(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const key = readFileSync(file, 'utf8').trim();
      expect(key.length).toBeGreaterThanOrEqual(40);
      expect(first.keys.matches(key)).toBe(true);
      chmodSync(file, 0o644);
      const second = resolveApiKeys([], dir);
      expect(second.keys.matches(key)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(resolveApiKeys(['configured'], dir).generatedFile).toBeUndefined();
      writeFileSync(file, '\n');
      expect(() => resolveApiKeys([], dir)).toThrow(/is empty/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes keys from a YAML list or a comma-separated environment value', () => {
    expect(loadConfig({ sets: ['http.apiKeys=[a1, 12345]'] }).http.apiKeys).toEqual(['a1', '12345']);
    expect(loadConfig({ env: { SENTINEL_HTTP__APIKEYS: 'k1,k2' } }).http.apiKeys).toEqual(['k1', 'k2']);
    expect(loadConfig({ env: { SENTINEL_HTTP__AUTH: 'none' } }).http.auth).toBe('none');
    expect(() => loadConfig({ sets: ['http.auth=open'] })).toThrow(/http\.auth: auth must be one of: api-key, none/);
    expect(() => loadConfig({ sets: ['http.cors.origins=[https://a.example/path]'] })).toThrow(/origin/);
  });
});

describe('public routes', () => {
  it('are the health probes, the session endpoints and /metrics only when open', () => {
    expect(routeTemplate('health', undefined)).toBe('/health');
    expect(routeTemplate('/', 'health/live')).toBe('/health/live');
    for (const open of ['/health', '/health/live', '/health/ready', '/auth/session', '/', '/assets/app.js']) expect(isPublicRoute(open, { metricsOpen: false })).toBe(true);
    for (const secured of ['/healthy', '/assetsx', '/cameras/:id/stream.mjpeg', '/metrics', '/stats', '/people/:id', '/auth', '/auth/session/x']) {
      expect(isPublicRoute(secured, { metricsOpen: false })).toBe(false);
    }
    expect(isPublicRoute('/metrics', { metricsOpen: true })).toBe(true);
  });
});

describe('upload slots', () => {
  it('hand out at most capacity slots; a release is idempotent', () => {
    const slots = new Slots(2);
    const a = slots.tryAcquire();
    const b = slots.tryAcquire();
    expect(a && b).toBeTruthy();
    expect(slots.tryAcquire()).toBeUndefined();
    a!();
    a!();
    expect(slots.inUse).toBe(1);
    expect(slots.tryAcquire()).toBeDefined();
    expect(slots.tryAcquire()).toBeUndefined();
  });
});
