import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Box } from '@sentinel/contracts';
import { MotionStillPlan, makeMotionStillClip, motionStillLabels, noisySource, parseMotGroundTruth } from '@sentinel/evaluation';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { startRoof } from './roof-harness';

const W = 768;
const H = 576;

/** Fraction of the box's pixels inside the mask (1 = covered). */
function coverage(box: Box, mask: Uint8Array): number {
  let inside = 0;
  const x0 = Math.floor(box.x), y0 = Math.floor(box.y), x1 = Math.ceil(box.x + box.width), y1 = Math.ceil(box.y + box.height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) inside += mask[y * W + x];
  return inside / Math.max(1, (x1 - x0) * (y1 - y0));
}

jest.setTimeout(180_000);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roof-quality-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeWithSharedData('roof change detection quality on vtest.avi', () => {
  it('drops at least 95% of still frames (noise, light drift) and forwards at least 99% of motion frames', async () => {
    const plan: MotionStillPlan = { motionFrames: 80, stillFrames: 40, cycles: 8 };
    const clip = join(dir, 'motion-still.mkv');
    await makeMotionStillClip(sharedPath('data', 'vtest.avi'), clip, plan);
    const labels = motionStillLabels(plan);
    const running = await startRoof({ cameras: [{ id: 'quality', source: noisySource(clip, { noise: 10, driftAmplitude: 0.08, driftPeriodSeconds: 30 }), kind: 'lavfi', pace: false }] });
    try {
      await running.roof.whenFilesDone();
      const stats = running.roof.stats().quality;
      expect(stats.framesDecoded).toBe(labels.length);
      const forwarded = new Set(running.links.frames.map((f) => f.seq));
      const still = labels.flatMap((label, seq) => (label === 'still' ? [seq] : []));
      const motion = labels.flatMap((label, seq) => (label === 'motion' ? [seq] : []));
      const stillDropped = still.filter((seq) => !forwarded.has(seq)).length / still.length;
      const motionForwarded = motion.filter((seq) => forwarded.has(seq)).length / motion.length;
      process.stdout.write(
        `roof quality: still frames dropped ${(stillDropped * 100).toFixed(1)}% of ${still.length}, motion frames forwarded ${(motionForwarded * 100).toFixed(1)}% of ${motion.length}\n`,
      );
      expect(stillDropped).toBeGreaterThanOrEqual(0.95);
      expect(motionForwarded).toBeGreaterThanOrEqual(0.99);
    } finally {
      await running.close();
    }
  });

  it('in regions mode covers walking people of the ground truth (mean >= 95%, <= 5% less than half covered)', async () => {
    const truth = parseMotGroundTruth(await readFile(sharedPath('data', 'vtest-gt-sample.txt'), 'utf8'), W, H);
    const running = await startRoof({ policy: 'regions', cameras: [{ id: 'regions', source: sharedPath('data', 'vtest.avi'), pace: false }] });
    try {
      await running.roof.whenFilesDone();
      const bySeq = new Map(running.links.frames.map((f) => [f.seq, f]));
      const coverages: number[] = [];
      let fullFrames = 0;
      let regionPixels = 0;
      const frames = [...truth.keys()];
      for (const frame of frames) {
        const message = bySeq.get(frame - 1);
        const mask = new Uint8Array(W * H);
        if (message?.kind === 'frame') {
          mask.fill(1);
          fullFrames++;
        }
        for (const region of message?.regions ?? []) {
          for (let y = region.y; y < region.y + region.height; y++) mask.fill(1, y * W + region.x, y * W + region.x + region.width);
        }
        regionPixels += mask.reduce((sum, v) => sum + v, 0);
        for (const { id, box } of (truth.get(frame) ?? []).filter((t) => !t.ignore)) {
          const earlier = truth.get(frame - 20)?.find((t) => t.id === id)?.box;
          if (!earlier) continue;
          const moved = Math.hypot(box.x + box.width / 2 - (earlier.x + earlier.width / 2), box.y + box.height / 2 - (earlier.y + earlier.height / 2));
          if (moved >= 10) coverages.push(coverage(box, mask));
        }
      }
      const mean = coverages.reduce((a, b) => a + b, 0) / coverages.length;
      const underHalf = coverages.filter((c) => c < 0.5).length;
      process.stdout.write(
        `roof regions: ${coverages.length} walking people, mean coverage ${(mean * 100).toFixed(1)}%, ${underHalf} under half covered; ` +
          `${fullFrames}/${frames.length} sampled frames sent whole; regions cover ${((regionPixels / (frames.length * W * H)) * 100).toFixed(1)}% of the sampled frames\n`,
      );
      expect(coverages.length).toBeGreaterThan(50);
      expect(mean).toBeGreaterThanOrEqual(0.95);
      expect(underHalf / coverages.length).toBeLessThanOrEqual(0.05);
    } finally {
      await running.close();
    }
  });
});
