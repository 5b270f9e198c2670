import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { resolveFfmpegPath } from '@sentinel/frame-change';

/**
 * Helpers that make video clips with ffmpeg for tests, reports and benchmarks (no test framework
 * needed). Clips are written with libx264 at near-lossless quality unless said otherwise.
 */

/** `x264` is near-lossless (CRF 10); `x264-default` is x264's own default quality (CRF 23, veryfast), a camera-like stream. */
export type ClipCodec = 'copy' | 'x264' | 'x264-default' | 'mjpeg';

export interface ClipOptions {
  ffmpegPath?: string;
  codec?: ClipCodec;
}

function codecArgs(codec: ClipCodec): string[] {
  switch (codec) {
    case 'copy':
      return ['-c:v', 'copy'];
    case 'mjpeg':
      return ['-c:v', 'mjpeg', '-q:v', '2', '-pix_fmt', 'yuvj420p'];
    case 'x264':
      return ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10', '-pix_fmt', 'yuv420p'];
    case 'x264-default':
      return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'];
  }
}

/** Runs ffmpeg to completion; rejects with the tail of its stderr. */
export function runFfmpeg(args: readonly string[], ffmpegPath?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(resolveFfmpegPath(ffmpegPath), ['-hide_banner', '-nostdin', '-y', ...args], { maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const tail = String(stderr).trim().split('\n').slice(-5).join('\n');
      reject(new Error(`ffmpeg ${args.join(' ')} failed: ${tail || error.message}`));
    });
  });
}

/** Copies `frames` frames of `source` from frame `start` (0-based) to `target`. `copy` only cuts at 0. */
export async function cutFrames(source: string, target: string, frames: number, options: ClipOptions & { start?: number } = {}): Promise<void> {
  const start = options.start ?? 0;
  const codec = options.codec ?? (start === 0 ? 'copy' : 'x264');
  if (codec === 'copy' && start !== 0) throw new Error('cutFrames: codec copy can only cut from frame 0');
  const filter = start > 0 ? ['-vf', `trim=start_frame=${start},setpts=PTS-STARTPTS`] : [];
  await runFfmpeg(['-i', source, ...filter, '-an', '-frames:v', String(frames), ...codecArgs(codec), target], options.ffmpegPath);
}

/** Renders a lavfi graph (e.g. `testsrc2=s=320x240:r=10`) for `frames` frames into `target`. */
export async function makeLavfiClip(target: string, graph: string, frames: number, options: ClipOptions = {}): Promise<void> {
  await runFfmpeg(['-f', 'lavfi', '-i', graph, '-frames:v', String(frames), ...codecArgs(options.codec ?? 'x264'), target], options.ffmpegPath);
}

export interface MotionStillPlan {
  /** Frames of real motion per cycle (consecutive frames of the source). */
  motionFrames: number;
  /** Frozen frames per cycle: the last motion frame repeated. */
  stillFrames: number;
  cycles: number;
  fps?: number;
}

/** For each output frame of makeMotionStillClip: whether it belongs to a motion or a still segment. */
export function motionStillLabels(plan: MotionStillPlan): ('motion' | 'still')[] {
  const labels: ('motion' | 'still')[] = [];
  for (let c = 0; c < plan.cycles; c++) {
    for (let i = 0; i < plan.motionFrames; i++) labels.push('motion');
    for (let i = 0; i < plan.stillFrames; i++) labels.push('still');
  }
  return labels;
}

/**
 * A clip alternating real motion (the source's frames, in order) with still segments (the last
 * motion frame frozen), `cycles` times. Frames come out in the order of motionStillLabels(plan).
 */
export async function makeMotionStillClip(source: string, target: string, plan: MotionStillPlan, options: ClipOptions = {}): Promise<void> {
  const fps = plan.fps ?? 10;
  const filters = [`trim=end_frame=${plan.motionFrames * plan.cycles}`];
  for (let c = 0; c < plan.cycles; c++) {
    // The loop filter counts its input frames (including copies earlier loops inserted); in ffmpeg 4.1
    // start=N repeats the frame before index N, so N is the index of the first still frame.
    const start = c * (plan.motionFrames + plan.stillFrames) + plan.motionFrames;
    filters.push(`loop=loop=${plan.stillFrames}:size=1:start=${start}`);
  }
  filters.push(`setpts=N/${fps}/TB`);
  const total = (plan.motionFrames + plan.stillFrames) * plan.cycles;
  await runFfmpeg(['-i', source, '-vf', filters.join(','), '-an', '-r', String(fps), '-frames:v', String(total), ...codecArgs(options.codec ?? 'x264'), target], options.ffmpegPath);
}

/**
 * For each output frame of makeMotionStillClip (0-based), the source frame it shows (0-based):
 * motion frames are the source's in order, each still frame repeats the last motion frame before it.
 */
export function motionStillSourceFrames(plan: MotionStillPlan): number[] {
  const frames: number[] = [];
  for (let c = 0; c < plan.cycles; c++) {
    for (let i = 0; i < plan.motionFrames; i++) frames.push(c * plan.motionFrames + i);
    for (let i = 0; i < plan.stillFrames; i++) frames.push(c * plan.motionFrames + plan.motionFrames - 1);
  }
  return frames;
}

/**
 * MOTChallenge ground truth of the source moved onto a clip: each annotated source frame goes to the
 * first clip frame that shows it (`sourceFrames[clipFrame]`, both 0-based; MOT frames are 1-based),
 * unannotated or unshown frames are left out, the rest of each line is kept as it is.
 */
export function remapMotGroundTruth(text: string, sourceFrames: readonly number[]): string {
  const firstShown = new Map<number, number>();
  sourceFrames.forEach((source, clip) => {
    if (!firstShown.has(source)) firstShown.set(source, clip);
  });
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.startsWith('#')) continue;
    const comma = line.indexOf(',');
    const clip = firstShown.get(Number(line.slice(0, comma)) - 1);
    if (clip !== undefined) lines.push(`${clip + 1}${line.slice(comma)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * A lavfi camera source reading `clip` with sensor-like noise and a slow sinusoidal brightness
 * drift added at decode time (nothing extra on disk): `lavfi:movie=...,noise=...,eq=...`.
 */
export function noisySource(clip: string, options: { noise?: number; driftAmplitude?: number; driftPeriodSeconds?: number } = {}): string {
  const noise = options.noise ?? 10;
  const amplitude = options.driftAmplitude ?? 0.08;
  const period = options.driftPeriodSeconds ?? 30;
  const escaped = clip.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/:/g, '\\:');
  return `lavfi:movie='${escaped}',noise=alls=${noise}:allf=t,eq=brightness='${amplitude}*sin(2*PI*t/${period})':eval=frame`;
}

/**
 * Copies `source` to `target` with `spots` runs of `bytes` pseudo-random bytes written from
 * `atFraction` of the file on (every 3000 bytes), which damages a few frames but not the header.
 */
export async function corruptCopy(source: string, target: string, options: { atFraction?: number; spots?: number; bytes?: number; seed?: number } = {}): Promise<void> {
  const data = await readFile(source);
  let seed = options.seed ?? 1;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) & 0xff);
  const from = Math.floor(data.length * (options.atFraction ?? 0.3));
  for (let spot = 0; spot < (options.spots ?? 30); spot++) {
    const offset = from + spot * 3000;
    for (let i = 0; i < (options.bytes ?? 40) && offset + i < data.length; i++) data[offset + i] = random();
  }
  await writeFile(target, data);
}
