import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cutFrames } from '@sentinel/evaluation';
import { DIST_DIR, describeWithSharedData, sharedPath } from '@sentinel/testing';
import { KB, Report, RunReport, formulaRates } from '@sentinel/report';
import { ReportOptions, generateReport } from '../../scripts/report/report-main';

/**
 * The check: the report on a short clip cut from vtest.avi is consistent with itself. Runs
 * both policies with every tier in this process, then the frame policy as three OS processes over
 * TCP (needs `npm run build`, which `npm test` does first).
 */
const FRAMES = 41; // ground-truth frames 20 and 40 fall inside
jest.setTimeout(240_000);

describeWithSharedData('evaluation report on a vtest.avi clip', () => {
  let dir: string;
  let clip: string;
  let report: Report;
  const lines: string[] = [];

  const options = (out: string, overrides: Partial<ReportOptions>): ReportOptions => ({
    source: clip,
    placements: ['all'],
    policies: ['frame', 'regions'],
    cameras: 1,
    gt: sharedPath('data', 'vtest-gt-sample.txt'),
    out,
    model: sharedPath('models', 'yolov5n_fp16_640.onnx'),
    family: 'yolov5',
    sets: [],
    pace: false,
    redisUrl: 'redis://127.0.0.1:6379',
    timeoutMs: 180_000,
    keep: false,
    distDir: DIST_DIR,
    command: 'report e2e',
    ...overrides,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sentinel-report-e2e-'));
    clip = join(dir, 'vtest-clip.avi');
    await cutFrames(sharedPath('data', 'vtest.avi'), clip, FRAMES);
    report = await generateReport(options(join(dir, 'out'), {}), (line) => lines.push(line));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const runOf = (policy: string): RunReport => report.runs.find((r) => r.policy === policy)!;

  it('writes report.md, report.json and the chart', async () => {
    const out = join(dir, 'out');
    const json = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    expect(json.runs.map((r) => `${r.policy}/${r.placement}`)).toEqual(['frame/all', 'regions/all']);
    const md = await readFile(join(out, 'report.md'), 'utf8');
    for (const section of ['## Bandwidth', '## Latency', '## Counts', '## Accuracy', '## Targets', '## Consistency checks']) expect(md).toContain(section);
    const svg = await readFile(join(out, 'bandwidth.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('regions (measured)');
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    // One camera: one per-camera row per run, no per-camera table.
    expect(md).not.toContain('## Per camera');
    for (const run of json.runs) expect(run.perCamera!.map((c) => [c.cameraId, c.framesDecoded, c.framesProcessed])).toEqual([['vtest-clip', FRAMES, run.counts.fogFrames]]);
  });

  it('counts exactly the bytes sent as received on every link', () => {
    for (const run of report.runs) {
      const cells = run.balance.map((row) => `${row.link}/${row.pattern}`);
      expect(cells).toEqual(expect.arrayContaining(['roofToFog/frame.changed', 'roofToFog/ack']));
      for (const row of run.balance) expect({ cell: `${row.link}/${row.pattern}/${row.camera}`, ...row.received }).toEqual({ cell: `${row.link}/${row.pattern}/${row.camera}`, ...row.sent });
      expect(run.counts.linkNotDelivered).toBe(0);
    }
  });

  it('has raw >= roof→fog >= fog→cloud, forwarded <= frames, and every frame counted', () => {
    for (const run of report.runs) {
      const { payload, totals } = run.bandwidth;
      expect(payload.raw).toBeGreaterThanOrEqual(payload.roofToFog);
      expect(payload.roofToFog).toBeGreaterThanOrEqual(payload.fogToCloud);
      expect(totals.roofToFog).toBeGreaterThanOrEqual(payload.roofToFog);
      expect(totals.raw).toBe(payload.raw);
      expect(run.counts.frames).toBe(FRAMES);
      expect(run.counts.forwardedMessages).toBeLessThanOrEqual(run.counts.frames);
      expect(run.counts.fogFrames).toBe(run.counts.forwardedMessages);
      expect(run.detectionLogLines).toBe(run.counts.fogFrames);
      expect(run.counts.cloudCrops).toBe(run.counts.cropsSent);
    }
    // Same video, same encoder: the raw count does not depend on the policy; regions send less than whole frames.
    expect(runOf('regions').bandwidth.totals.raw).toBe(runOf('frame').bandwidth.totals.raw);
    expect(runOf('regions').bandwidth.totals.roofToFog).toBeLessThan(runOf('frame').bandwidth.totals.roofToFog);
  });

  it('computes the formula rows by hand', () => {
    expect(report.paper.rates).toEqual({ raw: 500 * KB, roofToFog: 250 * KB, fogToCloud: 80 * KB });
    for (const run of report.runs) {
      const seconds = FRAMES / 10;
      const crops = run.links.fogToCloud?.byPattern['face.crop'] ?? {};
      const cropMessages = Object.values(crops).reduce((n, c) => n + c.sent.messages, 0);
      const x = FRAMES / seconds;
      const y = run.counts.forwardedMessages / seconds;
      const F = run.bandwidth.totals.raw / FRAMES;
      const C = cropMessages ? run.bandwidth.totals.fogToCloud / cropMessages : 0;
      const n = run.counts.personDetections / run.counts.fogFrames;
      expect(run.bandwidth.parameters.x).toBeCloseTo(x, 9);
      expect(run.bandwidth.parameters.y).toBeCloseTo(y, 9);
      expect(run.bandwidth.parameters.frameBytes).toBeCloseTo(F, 6);
      expect(run.bandwidth.parameters.cropBytes).toBeCloseTo(C, 6);
      expect(run.bandwidth.parameters.persons).toBeCloseTo(n, 9);
      expect(run.bandwidth.formula.raw).toBeCloseTo(x * F, 3);
      expect(run.bandwidth.formula.roofToFog).toBeCloseTo(y * F, 3);
      expect(run.bandwidth.formula.fogToCloud).toBeCloseTo(y * n * C, 3);
      expect(run.bandwidth.perSecond.roofToFog).toBeCloseTo(run.bandwidth.totals.roofToFog / seconds, 6);
      expect(formulaRates(run.bandwidth.parameters)).toEqual(run.bandwidth.formula);
    }
  });

  it('reports accuracy on the ground-truth frames inside the clip, against the ungated baseline', () => {
    expect(report.groundTruth).toMatchObject({ frames: 2 });
    expect(report.baseline).toMatchObject({ frames: 2, framesDetected: 2 });
    expect(report.baseline!.positives).toBeGreaterThan(5);
    for (const run of report.runs) {
      expect(run.accuracy!.positives).toBe(report.baseline!.positives);
      expect(run.accuracy!.truePositives + run.accuracy!.missedUnforwarded).toBeLessThanOrEqual(run.accuracy!.positives);
      expect(run.accuracy!.ap50).toBeGreaterThan(0);
      expect(run.coverage!.identities).toBeGreaterThan(0);
    }
    // The frame policy forwarded every ground-truth frame whole: the fog saw what the baseline saw.
    if (runOf('frame').accuracy!.framesDetected === 2) expect(runOf('frame').accuracy!.ap50).toBeCloseTo(report.baseline!.ap50, 6);
  });

  it('times every stage of the chain', () => {
    for (const run of report.runs) {
      const stages = run.stages.map((s) => s.stage);
      expect(stages).toEqual(expect.arrayContaining(['decode', 'change-detection', 'encode', 'link.roofToFog', 'jpeg-decode', 'preprocess', 'inference', 'postprocess', 'tracking', 'face-crop']));
      const inference = run.stages.find((s) => s.stage === 'inference')!;
      expect(inference.count).toBe(run.counts.fogFrames);
      expect(inference.p50).toBeLessThanOrEqual(inference.p95);
      expect(inference.p95).toBeLessThanOrEqual(inference.p99);
    }
  });

  const splitIt = existsSync(join(DIST_DIR, 'main.js')) ? it : it.skip;
  splitIt('gives the same payload bytes with roof, fog and cloud as three OS processes over TCP', async () => {
    const split = await generateReport(options(join(dir, 'split'), { placements: ['split-tcp'], policies: ['frame'], gt: undefined }), (line) => lines.push(line));
    const [run] = split.runs;
    expect(run.placement).toBe('split-tcp');
    expect(split.checks.filter((c) => !c.ok)).toEqual([]);
    expect(run.balance.filter((row) => !row.balanced)).toEqual([]);
    expect(run.balance.map((row) => row.link)).toEqual(expect.arrayContaining(['roofToFog']));
    const local = runOf('frame');
    expect(run.counts.frames).toBe(FRAMES);
    expect(run.counts.forwardedMessages).toBe(local.counts.forwardedMessages);
    expect(run.bandwidth.payload.raw).toBe(local.bandwidth.payload.raw);
    expect(run.bandwidth.payload.roofToFog).toBe(local.bandwidth.payload.roofToFog);
    // TCP frames each message with a 4-byte length prefix the in-process link does not have.
    expect(run.bandwidth.totals.roofToFog).toBeGreaterThanOrEqual(run.bandwidth.payload.roofToFog + 4 * run.counts.forwardedMessages);
  });
});
