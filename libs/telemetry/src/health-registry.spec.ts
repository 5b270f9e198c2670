import { PassThrough } from 'node:stream';
import { HealthRegistry, summarizeHealth } from './health-registry';
import { LastWrite, Sustained, watchWritable } from './health-signals';

describe('summarizeHealth', () => {
  it('ok when all are up; degraded when an optional part is down or a part degraded; down (not ready) when a required part is down', () => {
    expect(summarizeHealth({ a: { status: 'up', required: true } })).toMatchObject({ status: 'ok', ready: true, reasons: [] });
    expect(summarizeHealth({ a: { status: 'up', required: true }, peer: { status: 'down', reason: 'peer unreachable', required: false } })).toMatchObject({
      status: 'degraded',
      ready: true,
      reasons: ['peer: peer unreachable'],
    });
    expect(summarizeHealth({ a: { status: 'degraded', reason: 'slow', required: true } })).toMatchObject({ status: 'degraded', ready: true });
    expect(summarizeHealth({ a: { status: 'down', reason: 'database closed', required: true }, b: { status: 'degraded', required: false } })).toMatchObject({
      status: 'down',
      ready: false,
      reasons: ['a: database closed', 'b: degraded'],
    });
    expect(summarizeHealth({})).toMatchObject({ status: 'ok', ready: true });
  });
});

describe('HealthRegistry', () => {
  it('reports a probe that throws as down with its message, an unknown name as down, and keeps required flags', async () => {
    const registry = new HealthRegistry();
    registry.register('store', () => {
      throw new Error('SQLITE_IOERR');
    });
    registry.register('webhook', async () => ({ status: 'down', reason: 'HTTP 503' }), { required: false });
    expect(await registry.check('store')).toEqual({ status: 'down', reason: 'probe failed: SQLITE_IOERR' });
    expect(await registry.check('nothing')).toMatchObject({ status: 'down' });
    const report = await registry.report();
    expect(report).toMatchObject({ status: 'down', ready: false, reasons: ['store: probe failed: SQLITE_IOERR', 'webhook: HTTP 503'] });
    expect(report.components.webhook.required).toBe(false);
  });
});

describe('health signals', () => {
  it('Sustained measures how long a condition held without a break', () => {
    const full = new Sustained();
    full.update(true, 1_000);
    full.update(true, 5_000); // still the same stretch
    expect(full.heldForMs(11_000)).toBe(10_000);
    full.update(false, 11_500);
    expect(full.heldForMs(12_000)).toBe(0);
  });

  it('LastWrite is failed after a failing write and ok after the next good one', () => {
    const write = new LastWrite();
    write.failed(new Error('disk full'), 1);
    expect(write.lastError).toBe('disk full');
    write.ok(2);
    expect(write.lastError).toBeUndefined();
    expect(write.lastAt).toBe(2);
  });

  it('watchWritable: a real stream goes down when it errors or is closed', () => {
    const erroring = new PassThrough();
    const probe = watchWritable(erroring);
    expect(probe()).toEqual({ status: 'up' });
    erroring.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(probe()).toEqual({ status: 'down', reason: 'output failed: write EPIPE' });
        const ended = new PassThrough();
        const endedProbe = watchWritable(ended);
        ended.end();
        expect(endedProbe()).toEqual({ status: 'down', reason: 'output closed' });
        resolve();
      }),
    );
  });
});
