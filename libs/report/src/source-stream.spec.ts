import { parseFfmpegDuration, sourceStream, sourceStreamRates } from './source-stream';

describe('the camera\'s own stream', () => {
  it('reads the duration ffmpeg prints', () => {
    expect(parseFfmpegDuration('Input #0, avi, from \'vtest.avi\':\n  Duration: 00:01:19.50, start: 0.000000, bitrate: 818 kb/s')).toBeCloseTo(79.5);
    expect(parseFfmpegDuration('  Duration: 01:02:03.25, start')).toBeCloseTo(3723.25);
    expect(parseFfmpegDuration('  Duration: N/A, start')).toBeUndefined();
    expect(parseFfmpegDuration('')).toBeUndefined();
  });

  it('scales the file to the part the run covered, never beyond the whole file', () => {
    expect(sourceStream('v.avi', 8_000_000, 80, 80)).toMatchObject({ bytes: 8_000_000, bytesPerSecond: 100_000 });
    expect(sourceStream('v.avi', 8_000_000, 80, 20)).toMatchObject({ bytes: 2_000_000, bytesPerSecond: 100_000 });
    // A run reporting a little more video than the header says (frame rounding) still counts the file once.
    expect(sourceStream('v.avi', 8_000_000, 79.5, 79.6)).toMatchObject({ bytes: 8_000_000 });
    expect(sourceStream('v.avi', 8_000_000, 79.5, 79.6).bytesPerSecond).toBeCloseTo(8_000_000 / 79.5);
    // No duration: the whole file over the run's seconds.
    expect(sourceStream('v.avi', 1_000, undefined, 10)).toEqual({ path: 'v.avi', fileBytes: 1_000, runSeconds: 10, bytes: 1_000, bytesPerSecond: 100 });
  });

  it('charts the stream as roof→fog beside raw, with no fog→cloud bar', () => {
    const rates = sourceStreamRates(sourceStream('v', 800, 8, 8), 5_000);
    expect(rates.raw).toBe(5_000);
    expect(rates.roofToFog).toBe(100);
    expect(Number.isNaN(rates.fogToCloud)).toBe(true);
  });
});
