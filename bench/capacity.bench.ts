/**
 * Fog capacity: how many cameras one fog serves on this machine. N cameras paced at 10 fps (copies of
 * vtest.avi for a busy scene; a mostly still clip built here from vtest's frames) run through roof,
 * fog and cloud in one OS process (`node dist/main`), for each N and each path:
 *
 * - `capacity`: the product's defaults (cameras take turns, detection cadence);
 * - `baseline`: today's path before the capacity work, measured in the same run: the detector on every
 *   forwarded frame (`fog.cadence.maxInterval=1`).
 *
 * For each run: frames/s per camera, drop rate (frames a 10 fps camera produced that were never judged
 * by the roof or never finished by the fog), p95 capture-to-detection latency over all cameras and the
 * worst camera's, machine CPU, the process's peak RSS, and (busy scene) person AP50 of camera 0 on
 * vtest's ground-truth sample. Prints `max cameras: N` per scene, model and path: the largest N whose
 * drop rate stays under 1%.
 *
 *   npm run build && npm run bench:capacity [-- --models=yolox,yolov5 --scenes=busy,still --busy=1,2,4,6
 *     --still=4,8,12,16 --seconds=44 --paths=capacity,baseline --stagger=yes|no --set=fog.cadence.maxInterval=3]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { resolveFfmpegPath } from '@sentinel/frame-change';
import { SentinelProcess, evaluateDetections, parseMotGroundTruth, startSentinelProcess, type EvaluatedFrame } from '@sentinel/evaluation';
import { summarize } from '@sentinel/telemetry';
import { sharedPath } from '@sentinel/testing';
import type { DetectionLogLine } from '@sentinel/detection';

const MODELS = {
  yolox: { file: 'yolox_nano_416.onnx', family: 'yolox' },
  yolov5: { file: 'yolov5n_fp16_640.onnx', family: 'yolov5' },
  yolov8: { file: 'yolov8n_int8_640.onnx', family: 'yolov8' },
} as const;
type ModelName = keyof typeof MODELS;
type Scene = 'busy' | 'still';
type Path = 'capacity' | 'baseline';

const FPS = 10;
const MAX_DROP_RATE = 0.01;

function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}
const list = (name: string, fallback: string) => arg(name, fallback).split(',').filter(Boolean);
const stagger = arg('stagger', 'yes') !== 'no';
/** Length of each scene's clip (vtest.avi: 795 frames at 10 fps; the still clip: 5 x (8 + 2) s). */
const CLIP_SECONDS: Record<Scene, number> = { busy: 79.5, still: 50 };
const extraSets = process.argv.filter((a) => a.startsWith('--set=')).map((a) => a.slice('--set='.length));

/** Sets that make each path; `capacity` is the product's defaults plus any --set given. */
const PATH_SETS: Record<Path, string[]> = {
  capacity: [],
  baseline: ['fog.cadence.maxInterval=1'],
};

/**
 * A mostly still clip: vtest's frames frozen for 8 s, then 2 s of motion, five times (50 s). People
 * stand still while the picture is frozen, so the roof forwards (almost) nothing there.
 */
async function buildStillClip(dir: string): Promise<string> {
  const out = join(dir, 'mostly-still.mp4');
  if (existsSync(out)) return out;
  const cycles = 5;
  const parts: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < cycles; i++) {
    const start = 5 + i * 12;
    parts.push(`[0:v]trim=start=${start}:duration=0.1,setpts=PTS-STARTPTS,loop=loop=${8 * FPS - 1}:size=1:start=0,setpts=N/${FPS}/TB[s${i}]`);
    parts.push(`[0:v]trim=start=${start}:duration=2,setpts=PTS-STARTPTS[m${i}]`);
    labels.push(`[s${i}][m${i}]`);
  }
  const graph = `${parts.join(';')};${labels.join('')}concat=n=${cycles * 2}:v=1:a=0,fps=${FPS}[v]`;
  await promisify(execFile)(resolveFfmpegPath(), ['-v', 'error', '-y', '-i', sharedPath('data', 'vtest.avi'), '-filter_complex', graph, '-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', out]);
  return out;
}

/** Busy share of both cores since the previous reading, from /proc/stat. */
class MachineCpu {
  private last = MachineCpu.read();

  static read(): { busy: number; total: number } {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  }

  sinceLast(): number {
    const now = MachineCpu.read();
    const share = (now.busy - this.last.busy) / Math.max(1, now.total - this.last.total);
    this.last = now;
    return share;
  }
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

interface CameraResult {
  id: string;
  expected: number;
  decoded: number;
  lost: number;
  processed: number;
  coasted: number;
  latencies: number[];
}

interface RunResult {
  model: ModelName;
  scene: Scene;
  path: Path;
  cameras: number;
  fpsPerCamera: number;
  dropRate: number;
  p95: number;
  worstCameraP95: number;
  coastedShare: number;
  cpu: number;
  rssMb: number;
  ap50?: number;
  load: number[];
}

async function getJson(port: number, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

function readLog(path: string): DetectionLogLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as DetectionLogLine);
}

async function runOnce(model: ModelName, scene: Scene, path: Path, cameras: number, source: string, clipSeconds: number, seconds: number): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), `capacity-${scene}-${cameras}-`));
  const config = {
    dataDir: dir,
    http: { host: '127.0.0.1', port: 0, auth: 'none' }, // loopback only; the bench reads /stats
    roof: {
      // Independent cameras do not move in step: camera i starts i/N of the way into the clip (looping),
      // so motion bursts of a mostly still scene are spread as they would be. Camera 0 starts at 0 (its AP50).
      cameras: Array.from({ length: cameras }, (_, i) => ({
        id: `cam${i}`,
        source: resolve(source),
        pace: true,
        policy: 'regions',
        loop: true,
        ...(i > 0 && stagger ? { inputOptions: ['-ss', ((i * clipSeconds) / cameras).toFixed(1)] } : {}),
      })),
      demo: { enabled: false },
    },
    fog: { modelPath: sharedPath('models', MODELS[model].file), family: MODELS[model].family, detectionLogPath: 'detections.jsonl' },
  };
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(config));
  const sets = [...PATH_SETS[path], ...(path === 'capacity' ? extraSets : [])].flatMap((s) => ['--set', s]);
  const cpu = new MachineCpu();
  let sentinel: SentinelProcess | undefined;
  try {
    sentinel = await startSentinelProcess(resolve('dist/main.js'), ['--config', configFile, ...sets], { timeoutMs: 180_000 });
    const startedAt = Date.now();
    cpu.sinceLast();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsed = (Date.now() - startedAt) / 1000;
    const machineCpu = cpu.sinceLast();
    const rssMb = peakRssMb(sentinel.child.pid!);
    const stats = await getJson(sentinel.port, '/stats');
    await sentinel.stop();
    sentinel = undefined;
    const components = stats.components as Record<string, Record<string, number>>;
    const lines = readLog(join(dir, 'detections.jsonl'));
    const results: CameraResult[] = [];
    for (let i = 0; i < cameras; i++) {
      const id = `cam${i}`;
      const c = components[`roof.camera.${id}`] ?? {};
      const own = lines.filter((l) => l.cameraId === id);
      // The camera's clock starts at its first frame; a 10 fps camera produced this many frames since.
      const firstCapture = own.length ? Math.min(...own.map((l) => l.capturedAt)) : startedAt;
      const expected = Math.max(1, Math.floor(((startedAt + elapsed * 1000 - firstCapture) / 1000) * FPS));
      const decoded = c.framesDecoded ?? 0;
      const lost = Math.max(0, expected - decoded) + (c.droppedBusy ?? 0) + (c.droppedByLink ?? 0) + (c.failedByLink ?? 0);
      results.push({
        id,
        expected,
        decoded,
        lost,
        processed: own.length,
        coasted: own.filter((l) => l.coasted).length,
        latencies: own.filter((l) => l.detectedAt !== undefined).map((l) => l.detectedAt! - l.capturedAt),
      });
    }
    const allLatencies = results.flatMap((r) => r.latencies);
    const processed = results.reduce((s, r) => s + r.processed, 0);
    const run: RunResult = {
      model,
      scene,
      path,
      cameras,
      fpsPerCamera: processed / cameras / elapsed,
      dropRate: results.reduce((s, r) => s + r.lost, 0) / results.reduce((s, r) => s + r.expected, 0),
      p95: allLatencies.length ? summarize(allLatencies).p95 : NaN,
      worstCameraP95: Math.max(...results.map((r) => (r.latencies.length ? summarize(r.latencies).p95 : NaN))),
      coastedShare: processed ? results.reduce((s, r) => s + r.coasted, 0) / processed : 0,
      cpu: machineCpu,
      rssMb,
      load: loadavg(),
    };
    if (scene === 'busy') run.ap50 = personAp50(lines.filter((l) => l.cameraId === 'cam0'));
    return run;
  } finally {
    await sentinel?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Person AP50 of one camera on the ground-truth frames it reached (GT frame n is roof seq n - 1). */
function personAp50(lines: readonly DetectionLogLine[]): number {
  const truth = parseMotGroundTruth(readFileSync(sharedPath('data', 'vtest-gt-sample.txt'), 'utf8'), 768, 576);
  const bySeq = new Map(lines.map((l) => [l.seq, l]));
  const lastSeq = Math.max(-1, ...lines.map((l) => l.seq));
  const frames: EvaluatedFrame[] = [...truth.keys()]
    .filter((frame) => frame - 1 <= lastSeq)
    .sort((a, b) => a - b)
    .map((frame) => ({
      frame,
      truth: truth.get(frame)!,
      detections: bySeq.get(frame - 1)?.detections.filter((d) => d.label === 'person').map((d) => ({ box: d.box, score: d.score, trackId: d.trackId })),
    }));
  return frames.length ? evaluateDetections(frames).ap50 : NaN;
}

const fmt = (v: number | undefined, digits = 1) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));

async function main(): Promise<void> {
  const models = list('models', 'yolox') as ModelName[];
  const scenes = list('scenes', 'busy,still') as Scene[];
  const paths = list('paths', 'capacity,baseline') as Path[];
  const counts: Record<Scene, number[]> = { busy: list('busy', '1,2,4,6').map(Number), still: list('still', '4,8,12,16').map(Number) };
  const seconds = Number(arg('seconds', '44'));
  if (!existsSync(resolve('dist/main.js'))) throw new Error('dist/main.js is missing: run `npm run build` first');
  const clips = mkdtempSync(join(tmpdir(), 'capacity-clips-'));
  const sources: Record<Scene, string> = { busy: sharedPath('data', 'vtest.avi'), still: scenes.includes('still') ? await buildStillClip(clips) : '' };
  console.log(`capacity bench: ${seconds} s per run at ${FPS} fps per camera; models ${models.join(', ')}; scenes ${scenes.join(', ')}; paths ${paths.join(', ')}; extra sets for capacity: ${extraSets.join(' ') || 'none'}`);
  console.log(`machine: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} before the first run`);

  const results: RunResult[] = [];
  console.log('\nmodel  scene path      N | fps/cam | drops % | p95 ms | worst cam p95 | coasted % | CPU % | RSS MB | AP50  | load 1m');
  for (const model of models) {
    for (const scene of scenes) {
      for (const n of counts[scene]) {
        for (const path of paths) {
          const r = await runOnce(model, scene, path, n, sources[scene], CLIP_SECONDS[scene], seconds);
          results.push(r);
          console.log(
            `${model.padEnd(6)} ${scene.padEnd(5)} ${path.padEnd(9)} ${String(n).padStart(2)} | ${fmt(r.fpsPerCamera).padStart(7)} | ${fmt(r.dropRate * 100).padStart(7)} | ${fmt(r.p95, 0).padStart(6)} | ${fmt(r.worstCameraP95, 0).padStart(13)} | ${fmt(r.coastedShare * 100).padStart(9)} | ${fmt(r.cpu * 100, 0).padStart(5)} | ${fmt(r.rssMb, 0).padStart(6)} | ${fmt(r.ap50, 3).padStart(5)} | ${r.load[0].toFixed(2)}`,
          );
        }
      }
    }
  }
  console.log('');
  for (const model of models) {
    for (const scene of scenes) {
      for (const path of paths) {
        const ok = results.filter((r) => r.model === model && r.scene === scene && r.path === path && r.dropRate < MAX_DROP_RATE).map((r) => r.cameras);
        console.log(`max cameras: ${ok.length ? Math.max(...ok) : 0} (${model}, ${scene} scene, ${path} path, drops under ${MAX_DROP_RATE * 100}%)`);
      }
    }
  }
  rmSync(clips, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
