import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cutFrames } from '@sentinel/evaluation';
import { DIST_DIR, describeWithSharedData, sharedPath } from '@sentinel/testing';
import { Report } from '@sentinel/report';
import { generateReport } from '../../scripts/report/report-main';

/** `--cameras 2` on a three-second vtest.avi clip, every tier in this process: two cameras, one row each. */
const FRAMES = 31; // ground-truth frame 20 falls inside
jest.setTimeout(180_000);

describeWithSharedData('evaluation report with two cameras from one source', () => {
  let dir: string;
  let report: Report;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sentinel-report-cameras-'));
    const clip = join(dir, 'vtest-clip.avi');
    await cutFrames(sharedPath('data', 'vtest.avi'), clip, FRAMES);
    report = await generateReport(
      {
        source: clip,
        placements: ['all'],
        policies: ['frame'],
        cameras: 2,
        gt: sharedPath('data', 'vtest-gt-sample.txt'),
        out: join(dir, 'out'),
        model: sharedPath('models', 'yolov5n_fp16_640.onnx'),
        family: 'yolov5',
        sets: [],
        pace: false,
        redisUrl: 'redis://127.0.0.1:6379',
        timeoutMs: 150_000,
        keep: false,
        distDir: DIST_DIR,
        command: 'report cameras e2e',
      },
      () => undefined,
    );
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has one row per camera, each having processed every frame of its copy', () => {
    const [run] = report.runs;
    expect(run.perCamera!.map((c) => c.cameraId)).toEqual(['vtest-clip', 'vtest-clip-2']);
    for (const c of run.perCamera!) {
      expect(c.framesDecoded).toBe(FRAMES);
      expect(c.framesForwarded).toBeLessThanOrEqual(FRAMES);
      expect(c.framesForwarded).toBeGreaterThan(0);
      expect(c.framesProcessed).toBe(c.framesForwarded);
      expect(c.roofToFogBytes).toBeGreaterThan(0);
      expect(c.captureToDetectionMs.count).toBe(c.framesProcessed);
      expect(c.captureToDetectionMs.p50).toBeGreaterThan(0);
      expect(c.captureToDetectionMs.p50).toBeLessThanOrEqual(c.captureToDetectionMs.p95);
      expect(c.accuracy!.positives).toBeGreaterThan(0);
      expect(c.coverage!.identities).toBeGreaterThan(0);
    }
    // Not paced: both cameras wait for room in their own fog queue, nothing is dropped.
    expect(report.runs[0].counts.fogDrops).toEqual({});
    expect(report.runs[0].counts.linkNotDelivered).toBe(0);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('finds the same people in both copies of the video', () => {
    const [a, b] = report.runs[0].perCamera!;
    expect(b.framesForwarded).toBe(a.framesForwarded);
    expect(a.personDetections).toBeGreaterThan(FRAMES);
    expect(Math.abs(a.personDetections - b.personDetections)).toBeLessThanOrEqual(Math.max(2, 0.05 * a.personDetections));
    expect(Math.abs(a.accuracy!.ap50 - b.accuracy!.ap50)).toBeLessThanOrEqual(0.05);
  });

  it('adds the cameras up in the run-wide figures', () => {
    const [run] = report.runs;
    const rows = run.perCamera!;
    expect(run.counts.frames).toBe(2 * FRAMES);
    expect(run.video.frames).toBe(FRAMES);
    expect(run.counts.fogFrames).toBe(rows.reduce((n, c) => n + c.framesProcessed, 0));
    expect(run.counts.personDetections).toBe(rows.reduce((n, c) => n + c.personDetections, 0));
    expect(run.counts.faceCrops).toBe(rows.reduce((n, c) => n + c.faceCrops, 0));
    expect(run.bandwidth.totals.roofToFog).toBe(rows.reduce((n, c) => n + c.roofToFogBytes, 0));
    expect(run.bandwidth.totals.fogToCloud).toBe(rows.reduce((n, c) => n + c.fogToCloudBytes, 0));
  });

  it('writes a per-camera table into report.md', async () => {
    const md = await readFile(join(dir, 'out', 'report.md'), 'utf8');
    expect(md).toContain('## Per camera');
    expect(md).toMatch(/^\| vtest-clip \| 31 \/ \d+ \/ \d+ \|/m);
    expect(md).toMatch(/^\| vtest-clip-2 \| 31 \/ \d+ \/ \d+ \|/m);
  });
});
