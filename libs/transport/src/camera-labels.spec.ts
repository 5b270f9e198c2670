import { loadConfig } from '@sentinel/config';
import { MetricsService } from '@sentinel/telemetry';
import { CameraLabels, OTHER_CAMERA } from './camera-labels';
import { LinkLedger } from './link-ledger';

describe('camera labels', () => {
  it('a roof labels only its configured cameras; any other id from the wire is other', () => {
    const labels = CameraLabels.of(loadConfig({ sets: ['roof.cameras=[{id: gate, source: a.mp4}, {id: yard, source: b.mp4}]'] }));
    expect(['gate', 'yard', 'lobby', '__proto__', 'constructor'].map((id) => labels.label(id).label)).toEqual(['gate', 'yard', OTHER_CAMERA, OTHER_CAMERA, OTHER_CAMERA]);
  });

  it('a fog or cloud keeps the first N camera ids seen, then other (capped)', () => {
    const tcp = (link: string) => [`links.${link}.transport=tcp`, `links.${link}.host=x`, `links.${link}.port=1`];
    const labels = CameraLabels.of(loadConfig({ sets: ['tier=fog', ...tcp('roofToFog'), ...tcp('fogToCloud'), ...tcp('notification')] }));
    for (let i = 0; i < 64; i += 1) expect(labels.label(`cam-${i}`)).toEqual({ label: `cam-${i}`, capped: false });
    expect(labels.label('cam-0')).toEqual({ label: 'cam-0', capped: false });
    expect(labels.label('cam-64')).toEqual({ label: OTHER_CAMERA, capped: true });
    expect(new CameraLabels(undefined).label('__proto__')).toEqual({ label: OTHER_CAMERA, capped: false });
  });

  it('50k distinct camera ids add at most 64 label values to /metrics, and the overflow is counted', async () => {
    const metrics = new MetricsService();
    const ledger = new LinkLedger(metrics);
    for (let i = 0; i < 50_000; i += 1) ledger.record('roofToFog', 'received', 'frame.changed', `cam-${i}`, 100);
    const text = await metrics.text();
    const cameras = new Set([...text.matchAll(/camera="([^"]+)"/g)].map((m) => m[1]));
    expect(cameras.size).toBe(65);
    expect(cameras.has(OTHER_CAMERA)).toBe(true);
    expect(ledger.snapshot().roofToFog.incidents!['camera-labels-capped']).toBe(50_000 - 64);
    expect(ledger.snapshot().roofToFog.byPattern['frame.changed'][OTHER_CAMERA].received.messages).toBe(50_000 - 64);
    expect(text.length).toBeLessThan(64 * 1024);
  });
});
