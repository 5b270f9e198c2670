import { bandwidthRates, bandwidthTotals, cameraRates, camerasOf, healthByTier, linkPayloadBytes, rawBytesOf, shareOfRaw, Stats } from './stats-model';

const cell = (sent: number, received: number) => ({ sent: { messages: 1, bytes: sent }, received: { messages: 1, bytes: received } });

function stats(overrides: Partial<Stats> = {}): Stats {
  return {
    tier: 'all',
    modules: [],
    links: {
      roofToFog: { ...cell(0, 0), byPattern: { 'frame.changed': { gate: cell(5_000, 5_000), yard: cell(0, 1_000) }, ack: { '-': cell(300, 300) } } },
      fogToCloud: { ...cell(0, 0), byPattern: { 'face.crop': { gate: cell(200, 0) } } },
    },
    stages: {},
    components: {
      'roof.camera.gate': { status: 'up', id: 'gate', state: 'running', width: 640, height: 480, framesDecoded: 100, framesChanged: 40, framesForwarded: 10, fullFramesForwarded: 10, bytesForwarded: 5_000 },
      detection: { status: 'up' },
    },
    ...overrides,
  };
}

describe('dashboard figures from /stats', () => {
  it('counts a link once whichever end this process is, without acknowledgements', () => {
    expect(linkPayloadBytes(stats().links.roofToFog)).toBe(6_000);
    expect(linkPayloadBytes(stats().links.fogToCloud)).toBe(200);
    expect(linkPayloadBytes(undefined)).toBe(0);
  });

  it('raw bytes: measured when roof.measureRawJpeg is on, else estimated from whole forwarded frames, else unknown', () => {
    expect(rawBytesOf({ framesDecoded: 10, rawJpegFrames: 5, rawJpegBytes: 250 })).toBe(500);
    expect(rawBytesOf({ framesDecoded: 100, framesForwarded: 10, fullFramesForwarded: 10, bytesForwarded: 5_000 })).toBe(50_000);
    expect(rawBytesOf({ framesDecoded: 100, framesForwarded: 10, fullFramesForwarded: 2, bytesForwarded: 5_000 })).toBeUndefined();
  });

  it("lists the roof's cameras and the cameras only seen arriving at the fog", () => {
    const cameras = camerasOf(stats());
    expect(cameras.map((c) => [c.id, c.state, c.width])).toEqual([
      ['gate', 'running', 640],
      ['yard', 'unknown', undefined],
    ]);
  });

  it('bandwidth rates per second between two samples, never negative after a restart', () => {
    const before = bandwidthTotals(stats(), 0);
    const later = stats();
    later.links.roofToFog!.byPattern['frame.changed'].gate = cell(9_000, 9_000);
    const after = bandwidthTotals(later, 2_000);
    expect(bandwidthRates(before, after)).toEqual({ at: 2_000, raw: 0, roofToFog: 2_000, fogToCloud: 0 });
    expect(bandwidthRates(after, before).roofToFog).toBe(0);
    expect(shareOfRaw(after.roofToFog, after.raw)).toBeCloseTo(10_000 / 50_000);
    expect(shareOfRaw(1, undefined)).toBeUndefined();
  });

  it('camera fps and change rate from the counters of two samples', () => {
    const [before] = camerasOf(stats());
    const after = { ...before, framesDecoded: 120, framesChanged: 45 };
    expect(cameraRates(before, after, 2)).toEqual({ fps: 10, changeRate: 0.25 });
    expect(cameraRates(undefined, after, 0)).toEqual({ fps: 0, changeRate: 45 / 120 });
  });

  it('groups health by tier and names what is down', () => {
    const tiers = healthByTier({
      status: 'error',
      info: { 'roof.camera.gate': { status: 'up' }, detection: { status: 'degraded', reason: 'queue full' }, 'link:fogToCloud:producer': { status: 'up' }, 'notification.webhook': { status: 'down', optional: true } },
      error: { 'face-recognition': { status: 'down', reason: 'model not loaded' }, 'notification.store': { status: 'up' } },
    });
    expect(tiers.map((t) => [t.tier, t.condition, t.up, t.problems])).toEqual([
      ['roof', 'up', 1, []],
      ['fog', 'degraded', 0, ['detection: queue full']],
      ['cloud', 'down', 1, ['notification.webhook', 'face-recognition: model not loaded']],
      ['links', 'up', 1, []],
    ]);
  });
});
