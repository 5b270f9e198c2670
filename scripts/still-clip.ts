/**
 * `node dist/scripts/still-clip.js [--out DIR]`: a mostly still clip from vtest.avi for the report
 * (issue 17), with its ground truth. 20 cycles of 2 s of vtest's motion (source frames in order)
 * then 8 s of the last motion frame frozen: 2000 frames, 200 s at 10 fps, 80% of them still. Each
 * cycle ends on a source frame annotated in vtest-gt-sample.txt (every 20th), so the 20 GT frames
 * land on the first frame of each still stretch (remapMotGroundTruth). Encoded as a camera would
 * send it: libx264 at x264's default quality (CRF 23, veryfast), so its bytes are a fair "the
 * camera's own stream" for the report's source row.
 *
 *   npm run build && node dist/scripts/still-clip.js --out var/still
 *   npm run report -- --source var/still/mostly-still.mp4 --gt var/still/mostly-still-gt.txt --policy frame,video --out var/still/report
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MotionStillPlan, makeMotionStillClip, motionStillSourceFrames, remapMotGroundTruth } from '@sentinel/evaluation';
import { sharedPath } from '@sentinel/testing';

export const STILL_PLAN: MotionStillPlan = { motionFrames: 20, stillFrames: 80, cycles: 20, fps: 10 };

async function main(): Promise<void> {
  const at = process.argv.indexOf('--out');
  const out = at > 0 ? process.argv[at + 1] : join('var', 'still');
  await mkdir(out, { recursive: true });
  const clip = join(out, 'mostly-still.mp4');
  const gt = join(out, 'mostly-still-gt.txt');
  await makeMotionStillClip(sharedPath('data', 'vtest.avi'), clip, STILL_PLAN, { codec: 'x264-default' });
  await writeFile(gt, remapMotGroundTruth(await readFile(sharedPath('data', 'vtest-gt-sample.txt'), 'utf8'), motionStillSourceFrames(STILL_PLAN)));
  console.log(`${clip}\n${gt}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
