import { MetricsService } from '@sentinel/telemetry';
import { FogStats } from './fog-stats';

describe('FogStats', () => {
  it('one call per event updates both the snapshot and the Prometheus metric', async () => {
    const metrics = new MetricsService();
    const stats = new FogStats(metrics);
    stats.frame('frame', 'frame');
    stats.frame('regions', 'canvas');
    stats.detection('person');
    stats.detection('person');
    stats.detection('car');
    stats.cropSent('face', 1_000);
    stats.drop('queue-full');
    stats.cadence('coasted');
    stats.cadence('interval');
    stats.cadence('coasted');
    expect(stats.snapshot()).toEqual({
      frames: 2,
      framesDetectedOn: { frame: 1, canvas: 1, regions: 0 },
      regions: 0,
      detectionsByClass: { person: 2, car: 1 },
      tracksStarted: 0,
      cropsSent: { face: 1, person: 0 },
      cropBytes: 1_000,
      faceSearches: 0,
      facesTooSmall: 0,
      tracksReset: { 'scene-change': 0, 'appearance-change': 0 },
      alerts: 0,
      drops: { 'queue-full': 1 },
      cadence: { coasted: 2, interval: 1 },
    });
    const text = await metrics.text();
    expect(text).toContain('sentinel_fog_cadence_total{outcome="coasted"} 2');
    expect(text).toContain('sentinel_fog_detections_total{label="person"} 2');
    expect(text).toContain('sentinel_fog_frames_total{kind="regions",detected_on="canvas"} 1');
    expect(text).toContain('sentinel_fog_crop_bytes_total 1000');
    expect(text).toContain('sentinel_fog_drops_total{reason="queue-full"} 1');
  });

  describe('health of the detector', () => {
    const limits = { queueSize: 4, queueFullDownAfterMs: 10_000 };

    it('goes down once its queue has stayed full for the configured time, and up when it drains', () => {
      const stats = new FogStats(undefined, limits);
      stats.queueDepth(4, 1_000);
      stats.queueDepth(5, 3_000); // still full: frames refused behind the running one
      expect(stats.health(10_999)).toEqual({ status: 'up' });
      expect(stats.health(11_000)).toEqual({ status: 'down', reason: 'detector queue full (4 frames) for 10000 ms' });
      stats.queueDepth(3, 11_500);
      expect(stats.health(30_000)).toEqual({ status: 'up' });
    });

    it('goes down when the last frames all failed in the detector, up after a frame gets through', () => {
      const stats = new FogStats(undefined, limits);
      for (let i = 0; i < 2; i++) stats.drop('inference-error');
      expect(stats.health().status).toBe('up');
      stats.drop('inference-error');
      expect(stats.health()).toEqual({ status: 'down', reason: 'the last 3 frames failed in the detector' });
      stats.frame('frame', 'frame');
      expect(stats.health().status).toBe('up');
    });
  });
});
