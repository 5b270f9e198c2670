import { consistencyChecks, targetRows } from './checks';
import { formulaRates } from './formula';
import { renderMarkdown } from './markdown';
import { Report, RunReport } from './report-data';

function run(overrides: { policy?: 'frame' | 'regions' | 'video'; payloadRoofToFog?: number; receivedBytes?: number; forwarded?: number } = {}): RunReport {
  const parameters = { x: 10, y: 5, frameBytes: 50_000, cropBytes: 1_000, persons: 2 };
  const cell = (messages: number, bytes: number) => ({ messages, bytes });
  return {
    placement: 'all',
    policy: overrides.policy ?? 'regions',
    wallSeconds: 10,
    paced: false,
    video: { width: 768, height: 576, fps: 10, frames: 100, seconds: 10 },
    counts: {
      frames: 100, changedFrames: 60, forwardedMessages: overrides.forwarded ?? 50, forwardedFullFrames: 5, forwardedRegionSets: 45, forwardedRegions: 90,
      fogFrames: 50, detections: 120, personDetections: 100, tracks: 8, personTracks: 6, cropsSent: 10, faceCrops: 2, personCrops: 8,
      cloudCrops: 10, cloudCropsWithoutFace: 10, faceSearches: 12, identitiesKnown: 0, identitiesUnknown: 0, intruderAlerts: 0,
      alertsReceived: 0, alertsNotified: 0, alertsSuppressed: 0, fogDrops: {}, linkNotDelivered: 0,
    },
    bandwidth: {
      totals: { raw: 5_000_000, roofToFog: 1_000_000, fogToCloud: 10_000 },
      payload: { raw: 5_000_000, roofToFog: overrides.payloadRoofToFog ?? 990_000, fogToCloud: 9_000 },
      perSecond: { raw: 500_000, roofToFog: 100_000, fogToCloud: 1_000 },
      ackBytes: { roofToFog: 500, fogToCloud: 100 },
      parameters,
      formula: formulaRates(parameters),
    },
    links: {},
    balance: [{ link: 'roofToFog', pattern: 'frame.changed', camera: 'cam', sent: cell(50, 1_000_000), received: cell(50, overrides.receivedBytes ?? 1_000_000), balanced: (overrides.receivedBytes ?? 1_000_000) === 1_000_000 }],
    stages: [{ stage: 'inference', tier: 'fog', meaning: 'YOLO', count: 50, p50: 30, p95: 60, p99: 90, mean: 35, max: 99 }],
    accuracy: { frames: 20, framesDetected: 18, positives: 100, missedUnforwarded: 9, truePositives: 80, falsePositives: 10, ignored: 2, precision: 80 / 90, recall: 0.8, ap50: 0.78 },
    coverage: { identities: 10, covered: 9, coverage: 0.9, uncoveredIds: [4] },
    detectionLogLines: 50,
  };
}

describe('consistency checks', () => {
  it('pass on a consistent run', () => {
    const checks = consistencyChecks([run()]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual([
      'paper formula rows',
      'regions / all: bytes sent = bytes received on every link',
      'regions / all: raw >= roof→fog >= fog→cloud (JPEG payload bytes)',
      'regions / all: wire bytes >= JPEG payload on each link',
      'regions / all: forwarded <= changed <= frames',
      'regions / all: formula with measured parameters',
    ]);
  });

  it('fail on unbalanced links, payload above wire, more forwarded than frames', () => {
    const failed = (r: RunReport) => consistencyChecks([r]).filter((c) => !c.ok).map((c) => c.name.split(': ')[1]);
    expect(failed(run({ receivedBytes: 999_999 }))).toEqual(['bytes sent = bytes received on every link']);
    expect(failed(run({ payloadRoofToFog: 1_000_001 }))).toEqual(['wire bytes >= JPEG payload on each link']);
    expect(failed(run({ forwarded: 101 }))).toEqual(['forwarded <= changed <= frames']);
  });
});

describe('targets and markdown', () => {
  it('reports the issue targets against a baseline', () => {
    const rows = targetRows([run()], { frames: 20, framesDetected: 20, positives: 100, missedUnforwarded: 0, truePositives: 85, falsePositives: 10, ignored: 2, precision: 0.89, recall: 0.85, ap50: 0.81 });
    expect(rows.map((r) => [r.name, r.value, r.met])).toEqual([
      ['roof→fog share of raw (regions)', '20.00%', true],
      ['fog→cloud share of raw', '0.20%', true],
      ['person AP50 vs every-frame baseline', '0.780 vs 0.810 (Δ -0.030)', false],
      ['track coverage', '90.00% (9/10)', true],
    ]);
  });

  it('renders every section with the figures', () => {
    const r = run();
    const report: Report = {
      generatedAt: '2026-11-26T00:00:00Z', command: 'npm run report -- --source v.avi', source: 'v.avi',
      model: { description: 'yolov5 test' }, roof: { jpegQuality: 80 },
      paper: { parameters: { x: 10, y: 5, frameBytes: 50_000, cropBytes: 8_000, persons: 2 }, rates: { raw: 500_000, roofToFog: 250_000, fogToCloud: 80_000 } },
      runs: [r], checks: consistencyChecks([r]), targets: targetRows([r]),
    };
    const md = renderMarkdown(report);
    for (const text of ['## Bandwidth', '| paper formula, paper parameters | 10.00 | 5.00 | 50.0 | 8.00 | 2.00 | 500 | 250 (50.0%) | 80.0 (16.0%) |', '**100 (20.0%)**', '## Latency', '30.0 / 60.0 / 90.0 (50)', '## Counts', '## Accuracy', '**0.780**', '**90.0%**', '![bandwidth per hop](bandwidth.svg)']) {
      expect(md).toContain(text);
    }
  });
});

describe('the camera\'s own stream', () => {
  it('is a target for video (at most 50% of the source file) and a table beside raw JPEG with AP50 and latency', () => {
    const video = run({ policy: 'video' });
    video.stages.push({ stage: 'capture-to-cloud', tier: 'all', meaning: 'capture to decision', count: 10, p50: 120, p95: 180, p99: 200, mean: 130, max: 210 });
    const rows = targetRows([video, run()], undefined, 2_500_000);
    expect(rows.filter((r) => r.name.includes('source file'))).toEqual([{ run: 'video / all', name: 'roof→fog share of the source file (video, issue 17)', target: '<= 50%', value: '40.00%', met: true }]);
    expect(targetRows([video], undefined, 1_500_000).find((r) => r.name.includes('source file'))?.met).toBe(false);
    const report: Report = {
      generatedAt: 'now', command: 'test', source: 'v.avi', model: { description: 'm' }, roof: { jpegQuality: 80 },
      paper: { parameters: { x: 10, y: 5, frameBytes: 50_000, cropBytes: 8_000, persons: 2 }, rates: formulaRates({ x: 10, y: 5, frameBytes: 50_000, cropBytes: 8_000, persons: 2 }) },
      sourceStream: { path: 'v.avi', fileBytes: 2_500_000, fileSeconds: 10, runSeconds: 10, bytes: 2_500_000, bytesPerSecond: 250_000 },
      baseline: { ...video.accuracy!, ap50: 0.8 },
      runs: [video], checks: [], targets: rows,
    };
    const md = renderMarkdown(report);
    expect(md).toContain('| raw: every frame as JPEG (paper\'s baseline) | 5.00 MB | 500 | 100.0% | 200.0% | 0.800 | - | - |');
    expect(md).toContain('| the camera\'s own stream (source file as it is) | 2.50 MB | 250 | 50.0% | 100.0% |  | - | - |');
    expect(md).toContain('| **video / all** | 1.00 MB | 100 | 20.0% | 40.0% | **0.780** | - | 120 / 180 |');
  });
});
