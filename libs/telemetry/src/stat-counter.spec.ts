import { MetricsService } from './metrics.service';
import { StatFactory } from './stat-counter';

describe('StatCounter: one call, one figure for /stats and Prometheus', () => {
  it('inc updates the figure and the Prometheus counter alike, per label set', async () => {
    const metrics = new MetricsService();
    const drops = new StatFactory(metrics).counter('sentinel_test_drops_total', 'test drops', ['reason']);
    drops.inc({ reason: 'queue-full' });
    drops.inc({ reason: 'queue-full' }, 2);
    drops.inc({ reason: 'corrupt' });
    expect(drops.value({ reason: 'queue-full' })).toBe(3);
    expect(drops.value({ reason: 'never' })).toBe(0);
    expect(drops.total).toBe(4);
    expect(drops.by('reason')).toEqual({ 'queue-full': 3, corrupt: 1 });
    const text = await metrics.text();
    expect(text).toContain('sentinel_test_drops_total{reason="queue-full"} 3');
    expect(text).toContain('sentinel_test_drops_total{reason="corrupt"} 1');
  });

  it('takes the prom-client call shapes: inc(), inc(n), and counts without a registry', () => {
    const bytes = new StatFactory().counter('bytes', '');
    bytes.inc();
    bytes.inc(41);
    expect(bytes.total).toBe(42);
    expect(() => bytes.inc(-1)).toThrow(/only goes up/);
    expect(bytes.total).toBe(42);
  });

  it('keeps hostile label values as plain data', () => {
    const patterns = new StatFactory().counter('patterns', '', ['pattern']);
    patterns.inc({ pattern: '__proto__' });
    patterns.inc({ pattern: 'constructor' });
    const by = patterns.by('pattern');
    expect(Object.keys(by)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('sums by one label, optionally within others', () => {
    const frames = new StatFactory().counter('frames', '', ['kind', 'detected_on']);
    frames.inc({ kind: 'frame', detected_on: 'frame' });
    frames.inc({ kind: 'regions', detected_on: 'canvas' });
    frames.inc({ kind: 'regions', detected_on: 'regions' });
    expect(frames.by('detected_on')).toEqual({ frame: 1, canvas: 1, regions: 1 });
    expect(frames.by('detected_on', { kind: 'regions' })).toEqual({ canvas: 1, regions: 1 });
  });

  it('a gauge set updates both too', async () => {
    const metrics = new MetricsService();
    const depth = new StatFactory(metrics).gauge('sentinel_test_depth', 'depth', ['channel']);
    depth.set({ channel: 'webhook' }, 3);
    depth.set({ channel: 'mqtt' }, 1);
    depth.set({ channel: 'webhook' }, 2);
    expect(depth.total).toBe(3);
    expect(await metrics.text()).toContain('sentinel_test_depth{channel="webhook"} 2');
  });
});
