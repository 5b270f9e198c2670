import { ConfigError, validateConfig } from '@sentinel/config';
import { backoffDelay } from './backoff';
import { camerasToRun, redactSource, resolveCameraSettings } from './camera-settings';

function problems(plain: Record<string, unknown>): string[] {
  try {
    validateConfig(plain);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('roof camera settings', () => {
  it('accepts a camera given only id and source, with defaults for the rest', () => {
    const config = validateConfig({ roof: { cameras: [{ id: 'gate', source: '/videos/gate.mp4' }] } });
    const settings = resolveCameraSettings(config.roof.cameras[0], config.roof);
    expect(settings).toMatchObject({ id: 'gate', kind: 'file', live: false, loop: false, pace: true, policy: 'frame', heartbeatSeconds: 0, jpegQuality: 80, whenFull: 'drop' });
    expect(settings.detection).toMatchObject({ downscale: 4, pixelThreshold: 12, padding: 16, reference: 'forwarded' });
  });

  it('merges per-camera detection overrides over the roof defaults', () => {
    const config = validateConfig({
      roof: {
        policy: 'regions',
        detection: { pixelThreshold: 20, blurRadius: 1 },
        cameras: [{ id: 'a', source: 'rtsp://cam/1', detection: { pixelThreshold: 30 }, jpegQuality: 60 }, { id: 'b', source: 'x.avi', pace: false, policy: 'frame' }],
      },
    });
    const [a, b] = config.roof.cameras.map((camera) => resolveCameraSettings(camera, config.roof));
    expect(a).toMatchObject({ kind: 'stream', live: true, policy: 'regions', jpegQuality: 60, whenFull: 'drop' });
    expect(a.detection).toMatchObject({ pixelThreshold: 30, blurRadius: 1, downscale: 4 });
    expect(b).toMatchObject({ policy: 'frame', whenFull: 'wait' });
    expect(b.detection.pixelThreshold).toBe(20);
  });

  it('validates a camera override as a partial of the roof config: bad values and unknown keys reported with their path', () => {
    expect(
      problems({
        roof: {
          cameras: [
            { id: 'a', source: 'a.avi', detection: { pixelThreshold: 300, downscale: 2.5 } },
            { id: 'b', source: 'b.avi', detection: { threshold: 3 }, jpegQuality: 0 },
            { id: 'c', source: 'c.avi', detection: 'high' },
          ],
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^roof\.cameras\.0\.detection\.pixelThreshold: pixelThreshold must not be greater than 255/),
        expect.stringMatching(/^roof\.cameras\.0\.detection\.downscale: downscale must be an integer/),
        expect.stringMatching(/^roof\.cameras\.1\.detection\.threshold: unknown key/),
        expect.stringMatching(/^roof\.cameras\.1\.jpegQuality: jpegQuality must not be less than 1/),
        expect.stringMatching(/^roof\.cameras\.2\.detection/),
      ]),
    );
  });

  it('deep-merges a partial nested override over the roof config, leaving the roof config and other cameras as they were', () => {
    const config = validateConfig({
      roof: {
        jpegQuality: 70,
        detection: { pixelThreshold: 20, reference: 'previous', maxRegions: 8 },
        cameras: [{ id: 'a', source: 'a.avi', detection: { maxRegions: 2 } }, { id: 'b', source: 'b.avi', heartbeatSeconds: 5 }],
      },
    });
    const [a, b] = config.roof.cameras.map((camera) => resolveCameraSettings(camera, config.roof));
    expect(a.detection).toEqual({ ...config.roof.detection, maxRegions: 2 });
    expect(a).toMatchObject({ jpegQuality: 70, heartbeatSeconds: 0 });
    expect(b.detection).toEqual(config.roof.detection);
    expect(b).toMatchObject({ jpegQuality: 70, heartbeatSeconds: 5 });
    expect(config.roof.detection).toMatchObject({ pixelThreshold: 20, reference: 'previous', maxRegions: 8 });
    expect(config.roof.cameras[0].detection).toEqual({ maxRegions: 2 });
  });

  it('lists bad camera keys and duplicate ids', () => {
    expect(
      problems({
        roof: {
          cameras: [
            { id: 'same', source: 'a.avi', policy: 'everything', fps: 0 },
            { id: 'same', source: 'b.avi', colour: 'red' },
            { id: 'bad id!', source: '' },
          ],
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^roof\.cameras: cameras must have unique ids/),
      ]),
    );
    const each = problems({ roof: { cameras: [{ id: 'x', source: 'a.avi', policy: 'everything' }, { id: 'y', source: 'b.avi', colour: 'red' }, { id: 'bad id!', source: '' }] } });
    expect(each).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^roof\.cameras\.0\.policy: policy must be one of: frame, regions/),
        expect.stringMatching(/^roof\.cameras\.1\.colour: unknown key/),
        expect.stringMatching(/^roof\.cameras\.2\.id: id must match/),
        expect.stringMatching(/^roof\.cameras\.2\.source/),
      ]),
    );
  });

  it('runs the demo camera only when no camera is configured and the demo is enabled', () => {
    const none = validateConfig({});
    expect(camerasToRun(none.roof)).toEqual([expect.objectContaining({ id: 'demo', kind: 'lavfi', pace: true })]);
    expect(camerasToRun(none.roof)[0].source).toMatch(/^lavfi:nullsrc=s=640x360:r=10/);
    expect(camerasToRun(validateConfig({ roof: { demo: { enabled: false } } }).roof)).toEqual([]);
    expect(camerasToRun(validateConfig({ roof: { cameras: [{ id: 'a', source: 'a.avi' }] } }).roof).map((c) => c.id)).toEqual(['a']);
  });

  it('hides credentials of stream URLs', () => {
    expect(redactSource('rtsp://admin:secret@10.0.0.5:554/stream1')).toBe('rtsp://***@10.0.0.5:554/stream1');
    expect(redactSource('/videos/a.avi')).toBe('/videos/a.avi');
    expect(redactSource(`lavfi:${'x'.repeat(200)}`)).toHaveLength(80);
  });

  it('backs off exponentially up to the cap', () => {
    const settings = { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2 };
    expect([1, 2, 3, 4, 7, 20].map((attempt) => backoffDelay(attempt, settings))).toEqual([500, 1000, 2000, 4000, 30_000, 30_000]);
  });
});
