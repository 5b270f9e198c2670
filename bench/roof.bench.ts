/**
 * Roof benchmark: frames/s of the roof (decode, change detection, JPEG encoding of what is
 * forwarded) on a file read as fast as possible, next to bare ffmpeg decoding of the same file to
 * the same raw rgb24 pipe (and, for policy video, which reads yuv420p, to a yuv420p pipe too),
 * measured alternately in the same run (medians), for every policy.
 * Then loops the file for --loop-seconds and prints RSS at start and end.
 *
 *   node dist/bench/roof.bench.js [--file PATH] [--runs 3] [--loop-seconds 180] [--loop-policy frame] [--policies frame,regions,video]
 *     [--video-preset veryfast] [--video-crf 28] [--video-threads 0] [--video-x264-params partitions=i8x8,i4x4|none]
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ForwardPolicy } from '@sentinel/config';
import { PixelFormat, frameBytes } from '@sentinel/contracts';
import { buildInvocation, parseOutputFormat, resolveFfmpegPath } from '@sentinel/frame-change';
import { quantile } from '@sentinel/telemetry';
import { SENTINEL_NODE_FLAGS } from '@sentinel/evaluation';
import { sharedPath } from '@sentinel/testing';
import { EmitOutcome, LinkEmitter } from '@sentinel/transport';
import { withRoof } from './roof-app';

interface Options {
  file: string;
  runs: number;
  loopSeconds: number;
  loopPolicy: ForwardPolicy;
  policies: ForwardPolicy[];
  /** roof.video overrides for the `video` policy (e.g. preset, crf). */
  video: Record<string, string | number>;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { file: sharedPath('data', 'vtest.avi'), runs: 3, loopSeconds: 180, loopPolicy: 'frame', policies: ['frame', 'regions', 'video'], video: {} };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--file': options.file = value; i++; break;
      case '--runs': options.runs = Number(value); i++; break;
      case '--loop-seconds': options.loopSeconds = Number(value); i++; break;
      case '--loop-policy': options.loopPolicy = value as ForwardPolicy; i++; break;
      case '--policies': options.policies = value.split(',') as ForwardPolicy[]; i++; break;
      case '--video-preset': options.video.preset = value; i++; break;
      case '--video-crf': options.video.crf = Number(value); i++; break;
      case '--video-threads': options.video.threads = Number(value); i++; break;
      case '--video-x264-params': options.video.x264Params = value === 'none' ? '' : value; i++; break;
      default: throw new Error(`unknown argument ${argv[i]} (use --file, --runs, --loop-seconds, --loop-policy, --policies, --video-preset, --video-crf, --video-threads, --video-x264-params)`);
    }
  }
  if (!(options.runs >= 1) || !(options.loopSeconds >= 0)) throw new Error('--runs must be >= 1 and --loop-seconds >= 0');
  return options;
}

/** CPU seconds of reaped child processes (ffmpeg), from /proc/self/stat cutime + cstime (Linux, 100 ticks/s). */
function childCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of this process (all threads: main, sharp/libuv) plus reaped children (ffmpeg). */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + childCpuSeconds();
}

const median = (values: number[]): number => quantile([...values].sort((a, b) => a - b), 0.5);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Counts and acknowledges at once: the bench measures the roof, not a transport. */
class NullLinks extends LinkEmitter {
  messages = 0;
  async emit(): Promise<EmitOutcome> {
    this.messages++;
    return 'delivered';
  }
}

/**
 * Runs in a fresh Node process with nothing else loaded: spawns ffmpeg, drains its stdout and reports
 * the wall time and CPU (its own and ffmpeg's) from spawn to exit. Drained here, in the bench's own
 * process, the baseline depended on what the bench had loaded: the pipe's 64 KB chunks make V8 mark
 * the heap over and over, and a bigger heap made the same decode up to 40% slower (591 against 977
 * frames/s on one machine, between two builds that differed only in modules loaded).
 */
const DRAIN_SCRIPT = `
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const childCpu = () => { const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' '); return (Number(f[13]) + Number(f[14])) / 100; };
const [ffmpeg, ...args] = process.argv.slice(1);
const start = performance.now();
const own = process.cpuUsage();
const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
let bytes = 0;
let stderr = '';
child.stdout.on('data', (chunk) => (bytes += chunk.length));
child.stderr.setEncoding('utf8');
child.stderr.on('data', (text) => (stderr += text));
child.on('close', (code) => {
  const used = process.cpuUsage(own);
  process.stdout.write(JSON.stringify({ code, bytes, stderr: stderr.slice(-20000), seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 + childCpu() }));
});
`;

/** ffmpeg alone: the roof's exact decode command, its stdout drained by a bare Node process (DRAIN_SCRIPT). Returns frames/s. */
function bareDecode(file: string, extraOutput: string[] | undefined = undefined, pixelFormat: PixelFormat = 'rgb24'): Promise<{ fps: number; frames: number; cpuMsPerFrame: number }> {
  const invocation = buildInvocation({ source: file, kind: 'file', pace: false, loop: false, skipCorrupt: true, pixelFormat });
  const output = extraOutput ?? [...invocation.outputOptions, 'pipe:1'];
  return new Promise((resolve, reject) => {
    const drain = spawn(process.execPath, [...process.execArgv, '-e', DRAIN_SCRIPT, resolveFfmpegPath(), ...invocation.inputOptions, '-i', invocation.input, ...output], { stdio: ['ignore', 'pipe', 'inherit'] });
    let report = '';
    drain.stdout.setEncoding('utf8');
    drain.stdout.on('data', (text: string) => (report += text));
    drain.on('close', () => {
      let result: { code: number; bytes: number; stderr: string; seconds: number; cpuSeconds: number };
      try {
        result = JSON.parse(report);
      } catch {
        return reject(new Error(`the bare decode process gave no report: ${report.slice(0, 300)}`));
      }
      if (result.code !== 0) return reject(new Error(`ffmpeg exited with ${result.code}: ${result.stderr.slice(-500)}`));
      let bytesPerFrame = 0;
      for (const line of result.stderr.split('\n')) {
        const format = parseOutputFormat(line);
        if (format && !bytesPerFrame) bytesPerFrame = frameBytes(format.width, format.height, format.pixelFormat);
      }
      let frameLines = 0;
      const match = /frame=\s*(\d+)/g;
      for (let m = match.exec(result.stderr); m; m = match.exec(result.stderr)) frameLines = Number(m[1]);
      const frames = bytesPerFrame && !extraOutput ? result.bytes / bytesPerFrame : frameLines;
      resolve({ fps: frames / result.seconds, frames, cpuMsPerFrame: (result.cpuSeconds * 1000) / frames });
    });
  });
}

interface RoofRun {
  fps: number;
  cpuMsPerFrame: number;
  frames: number;
  forwarded: number;
  bytesPerForwarded: number;
  latency: Record<string, { p50: number; p95: number }>;
}

async function roofRun(file: string, policy: ForwardPolicy, video: Options['video']): Promise<RoofRun> {
  const start = performance.now();
  const cpuStart = cpuSeconds();
  return withRoof({ policy, video, cameras: [{ id: 'bench', source: file, pace: false }] }, new NullLinks(), async (service, timer) => {
    await service.whenFilesDone();
    const seconds = (performance.now() - start) / 1000;
    const stats = service.stats().bench;
    const summary = timer.samples.summary();
    const latency = Object.fromEntries(Object.entries(summary).map(([stage, s]) => [stage, { p50: s.p50, p95: s.p95 }]));
    const cpuMsPerFrame = ((cpuSeconds() - cpuStart) * 1000) / stats.framesDecoded;
    return { fps: stats.framesDecoded / seconds, cpuMsPerFrame, frames: stats.framesDecoded, forwarded: stats.framesForwarded, bytesPerForwarded: stats.bytesForwarded / Math.max(1, stats.framesForwarded), latency };
  });
}

async function loopRun(file: string, policy: ForwardPolicy, seconds: number, bareFps: number): Promise<void> {
  await withRoof({ policy, cameras: [{ id: 'loop', source: file, pace: false, loop: true }] }, new NullLinks(), async (service) => {
    const sample = (label: string): void => {
      const memory = process.memoryUsage();
      const stats = service.stats().loop;
      console.log(`  ${label.padEnd(8)} rss ${mb(memory.rss).padStart(9)}  heap ${mb(memory.heapUsed).padStart(8)}  external ${mb(memory.external + memory.arrayBuffers).padStart(8)}  frames ${stats.framesDecoded}`);
    };
    const warmup = Math.min(10, seconds / 4);
    await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
    const startRss = process.memoryUsage().rss;
    const startFrames = service.stats().loop.framesDecoded;
    const startTime = performance.now();
    sample('start');
    const step = Math.max(1, Math.round((seconds - warmup) / 6));
    for (let elapsed = step; elapsed <= seconds - warmup; elapsed += step) {
      await new Promise((resolve) => setTimeout(resolve, step * 1000));
      sample(`+${Math.round(elapsed)}s`);
    }
    const endRss = process.memoryUsage().rss;
    const fps = (service.stats().loop.framesDecoded - startFrames) / ((performance.now() - startTime) / 1000);
    sample('end');
    console.log(`  loop (${policy}): ${fps.toFixed(0)} frames/s sustained (${((fps / bareFps) * 100).toFixed(0)}% of bare decode); RSS start ${mb(startRss)}, end ${mb(endRss)} (${(((endRss - startRss) / startRss) * 100).toFixed(1)}%)`);
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const flags = process.execArgv.join(' ') || 'none';
  console.log(`roof bench on ${options.file} (${options.runs} alternating runs, medians; node ${process.version} flags: ${flags}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
  if (!SENTINEL_NODE_FLAGS.every((flag) => process.execArgv.includes(flag))) {
    console.log(`  note: sentinel processes run with ${SENTINEL_NODE_FLAGS.join(' ')} (npm run bench:roof passes it); without it sustained rates are lower`);
  }
  const bare: number[] = [];
  const bareCpu: number[] = [];
  const decodeOnly: number[] = [];
  const barePlanar: number[] = [];
  const runs: Record<ForwardPolicy, RoofRun[]> = { frame: [], regions: [], video: [] };
  let frames = 0;
  await bareDecode(options.file); // warm the page cache and ffmpeg
  for (let run = 0; run < options.runs; run++) {
    const b = await bareDecode(options.file);
    bare.push(b.fps);
    bareCpu.push(b.cpuMsPerFrame);
    frames = b.frames;
    decodeOnly.push((await bareDecode(options.file, ['-f', 'null', '-'])).fps);
    if (options.policies.includes('video')) barePlanar.push((await bareDecode(options.file, undefined, 'yuv420p')).fps);
    for (const policy of options.policies) runs[policy].push(await roofRun(options.file, policy, options.video));
  }
  const bareFps = median(bare);
  const bareCpuMs = median(bareCpu);
  console.log(
    `  bare ffmpeg decode to rgb24 pipe (fresh process)${bareFps.toFixed(0).padStart(5)} frames/s  CPU ${bareCpuMs.toFixed(2)} ms/frame  (${frames} frames; decode only, no pixel conversion: ${median(decodeOnly).toFixed(0)} frames/s)`,
  );
  if (barePlanar.length) console.log(`  bare ffmpeg decode to yuv420p pipe (what policy video reads)${median(barePlanar).toFixed(0).padStart(5)} frames/s`);
  for (const policy of options.policies) {
    const fps = median(runs[policy].map((r) => r.fps));
    const last = runs[policy].at(-1)!;
    const goal = policy === 'frame' ? 0.35 : 0.5;
    const ratio = fps / bareFps;
    const stages = ['decode', 'change-detection', 'encode'].map((s) => `${s} p50 ${last.latency[s]?.p50.toFixed(2)} ms`).join(', ');
    const cpuMs = median(runs[policy].map((r) => r.cpuMsPerFrame));
    console.log(
      `  roof policy=${policy.padEnd(7)}            ${fps.toFixed(0).padStart(5)} frames/s  CPU ${cpuMs.toFixed(2)} ms/frame (node + ffmpeg)  ratio ${(ratio * 100).toFixed(0)}% of bare (goal >= ${goal * 100}%: ${ratio >= goal ? 'met' : 'NOT met'}); ` +
        `forwarded ${last.forwarded}/${last.frames}, ${(last.bytesPerForwarded / 1024).toFixed(1)} KB each; ${stages}` +
        (policy === 'video' && barePlanar.length ? `; ${((fps / median(barePlanar)) * 100).toFixed(0)}% of bare yuv420p decode` : ''),
    );
  }
  if (Object.keys(options.video).length) console.log(`  roof.video overrides: ${JSON.stringify(options.video)}`);
  console.log(`  load average after the runs: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (2-core machine shared with other work)`);
  if (options.loopSeconds > 0) {
    console.log(`loop of ${options.file} for ${options.loopSeconds} s, policy ${options.loopPolicy}:`);
    await loopRun(options.file, options.loopPolicy, options.loopSeconds, bareFps);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
