import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { cameraIdOfSource } from '@sentinel/app';
import { loadConfig } from '@sentinel/config';
import {
  PAPER_PARAMETERS,
  Placement,
  Placements,
  Policies,
  Policy,
  Report,
  RunReport,
  SourceStream,
  bandwidthSvg,
  cameraIdsFor,
  parseFfmpegDuration,
  sourceStream,
  sourceStreamRates,
  consistencyChecks,
  formulaRates,
  renderMarkdown,
  runName,
  targetRows,
} from '@sentinel/report';
import { TruthBox, evaluateDetections, parseMotGroundTruth } from '@sentinel/evaluation';
import { resolveFfmpegPath } from '@sentinel/frame-change';
import { runBaseline } from './baseline';
import { RunCamera, buildRun, cameraProbe, evaluateRun } from './build-run';
import { readDetectionLog } from './detection-log';
import { enrollGalleryFolder, identitiesOfRun } from './identities';
import { runPipeline } from './run-pipeline';

export const REPORT_USAGE = `npm run report -- --source FILE [options]

Runs the whole pipeline on a video as fast as it can and writes report.md, report.json and bandwidth.svg.

  --source FILE            video file (required)
  --placement LIST         all | split-tcp | split-redis, comma-separated (default: all)
  --policy LIST            frame | regions | video, comma-separated, or both = frame,regions (default: both)
  --gt FILE                MOTChallenge ground truth: person precision/recall/AP50 and track coverage
  --cameras N              run N copies of the source as N cameras (ids <source-id>, <source-id>-2, ...)
                           and report each camera (default: 1)
  --gallery DIR            enroll <person>/<images> of DIR before each run; report.json gets identities per run
  --out DIR                output folder (default: ./var/report)
  --model PATH             YOLO ONNX model (default: ../shared/models/yolov5n_fp16_640.onnx when present)
  --family F               yolov5 | yolov8 | yolox (default: yolov5 with the default model)
  --set key.path=value     extra configuration for every process (repeatable), e.g. --set fog.threads=2
  --pace                   read the video in real time (live-like latency) instead of as fast as possible
  --redis URL              Redis for split-redis (default: redis://127.0.0.1:6379)
  --timeout SECONDS        longest wait for one run (default: 3600)
  --keep                   keep each run's data folder (databases, detection log, config)
  --render FILE            only re-render report.md and bandwidth.svg from an earlier report.json into --out`;

export class ReportUsageError extends Error {}

export interface ReportOptions {
  source: string;
  placements: Placement[];
  policies: Policy[];
  /** Copies of the source run as that many cameras through the same run. */
  cameras: number;
  gt?: string;
  gallery?: string;
  out: string;
  model?: string;
  family?: string;
  sets: string[];
  pace: boolean;
  redisUrl: string;
  timeoutMs: number;
  keep: boolean;
  /** Built project for split placements (default: the dist folder this code runs from, or ./dist). */
  distDir: string;
  command: string;
}

export const DEFAULT_MODEL = '../shared/models/yolov5n_fp16_640.onnx';

function defaultDistDir(): string {
  // Compiled: dist/scripts/report/report-main.js -> dist. From sources (tests): ./dist.
  const compiled = resolve(__dirname, '..', '..');
  return existsSync(join(compiled, 'main.js')) ? compiled : resolve('dist');
}

/** `--cameras N`: a whole number from 1 up (default 1). */
export function parseCameraCount(value: string | undefined): number {
  if (value === undefined) return 1;
  const cameras = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(cameras) || cameras < 1) throw new ReportUsageError(`--cameras ${value}: expected a whole number from 1 up`);
  return cameras;
}

export function parseReportArgs(argv: readonly string[]): ReportOptions | 'help' | { render: string; out: string } {
  const values: Record<string, string[]> = {};
  const flags = new Set<string>();
  const valued = new Set(['--render', '--source', '--placement', '--policy', '--cameras', '--gt', '--gallery', '--out', '--model', '--family', '--set', '--redis', '--timeout', '--dist']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--pace' || name === '--keep') {
      flags.add(name);
      continue;
    }
    if (!valued.has(name)) throw new ReportUsageError(`unknown argument ${JSON.stringify(arg)}`);
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new ReportUsageError(`${name} needs a value`);
    (values[name] ??= []).push(value);
  }
  const one = (name: string): string | undefined => values[name]?.at(-1);
  const render = one('--render');
  if (render) return { render, out: one('--out') ?? dirname(render) };
  const source = one('--source');
  if (!source) throw new ReportUsageError('--source FILE is required');
  const placements = (one('--placement') ?? 'all').split(',').map((p) => p.trim());
  for (const p of placements) if (!(Placements as readonly string[]).includes(p)) throw new ReportUsageError(`--placement ${p}: expected ${Placements.join(', ')}`);
  const policyArg = one('--policy') ?? 'both';
  const policies = policyArg === 'both' ? ['frame', 'regions'] : policyArg.split(',').map((p) => p.trim());
  for (const p of policies) if (!(Policies as readonly string[]).includes(p)) throw new ReportUsageError(`--policy ${p}: expected ${Policies.join(', ')} (comma-separated) or both`);
  const timeout = Number(one('--timeout') ?? 3600);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new ReportUsageError('--timeout must be a positive number of seconds');
  const cameras = parseCameraCount(one('--cameras'));
  let model = one('--model');
  let family = one('--family');
  if (!model && existsSync(resolve(DEFAULT_MODEL))) {
    model = DEFAULT_MODEL;
    family ??= 'yolov5';
  }
  if (model && !family) throw new ReportUsageError('--family is required with --model (yolov5, yolov8 or yolox)');
  return {
    source,
    placements: [...new Set(placements)] as Placement[],
    policies: [...new Set(policies)] as Policy[],
    cameras,
    gt: one('--gt'),
    gallery: one('--gallery'),
    out: one('--out') ?? join('var', 'report'),
    model,
    family,
    sets: values['--set'] ?? [],
    pace: flags.has('--pace'),
    redisUrl: one('--redis') ?? 'redis://127.0.0.1:6379',
    timeoutMs: timeout * 1000,
    keep: flags.has('--keep'),
    distDir: one('--dist') ?? defaultDistDir(),
    command: `npm run report -- ${argv.join(' ')}`,
  };
}

/** Truth frames the video has (a clip may be shorter than the annotation). */
function truthWithin(truth: Map<number, TruthBox[]>, frames: number): Map<number, TruthBox[]> {
  return new Map([...truth].filter(([frame]) => frame <= frames));
}

/** Each camera's detection-log lines, scored against the ground truth when there is one (every camera against the same). */
async function readRunCameras(detectionLogPath: string, cameraIds: readonly string[], truth: Map<number, TruthBox[]> | undefined): Promise<RunCamera[]> {
  const cameras: RunCamera[] = [];
  for (const id of cameraIds) {
    const log = await readDetectionLog(detectionLogPath, id);
    cameras.push({ id, log, ...(truth ? { evaluation: evaluateRun(truth, log) } : {}) });
  }
  return cameras;
}

/** The source file's bytes for the seconds of video a run covered (its duration from ffmpeg's header). */
export async function probeSourceStream(path: string, runSeconds: number): Promise<SourceStream> {
  const stderr = await new Promise<string>((resolve) => execFile(resolveFfmpegPath(), ['-hide_banner', '-i', path], (_error, _stdout, err) => resolve(String(err))));
  return sourceStream(path, statSync(path).size, parseFfmpegDuration(stderr), runSeconds);
}

/** Runs every requested placement x policy, the baseline, and writes report.md/json and bandwidth.svg. */
export async function generateReport(options: ReportOptions, log: (line: string) => void = (line) => console.log(line)): Promise<Report> {
  if (!existsSync(options.source)) throw new ReportUsageError(`--source ${options.source}: no such file`);
  if (options.gt && !existsSync(options.gt)) throw new ReportUsageError(`--gt ${options.gt}: no such file`);
  const cameraIds = cameraIdsFor(cameraIdOfSource(options.source, 0), options.cameras);
  const modelSets = options.model ? [`fog.modelPath=${resolve(options.model)}`, `fog.family=${options.family}`] : [];
  const config = loadConfig({ sets: [...modelSets, ...options.sets] });
  const gtText = options.gt ? await readFile(options.gt, 'utf8') : undefined;
  const runs: RunReport[] = [];
  let truth: Map<number, TruthBox[]> | undefined;
  let video: { width: number; height: number; frames: number } | undefined;

  for (const placement of options.placements) {
    for (const policy of options.policies) {
      const dataDir = await mkdtemp(join(tmpdir(), `sentinel-report-${policy}-`));
      log(`run ${policy} / ${placement} (data in ${dataDir})`);
      try {
        if (options.gallery) {
          const enrolled = await enrollGalleryFolder(options.gallery, dataDir, config);
          log(`  gallery: ${enrolled.people} people, ${enrolled.faces} faces enrolled` + (enrolled.skipped.length ? `; no face in ${enrolled.skipped.join(', ')}` : ''));
        }
        const result = await runPipeline({
          source: options.source,
          cameraIds,
          policy,
          placement,
          dataDir,
          modelPath: options.model,
          family: options.family,
          sets: options.sets,
          pace: options.pace,
          distDir: options.distDir,
          redisUrl: options.redisUrl,
          timeoutMs: options.timeoutMs,
          log,
        });
        const camera = cameraProbe(result, cameraIds[0]);
        video ??= { width: camera.width, height: camera.height, frames: camera.framesDecoded };
        if (gtText && !truth) truth = truthWithin(parseMotGroundTruth(gtText, camera.width, camera.height), camera.framesDecoded);
        const cameras = await readRunCameras(result.detectionLogPath, cameraIds, truth);
        const run = buildRun({ placement, policy, paced: options.pace, cameras, result });
        if (options.gallery) run.identities = identitiesOfRun(config, dataDir, { intruderAlerts: run.counts.intruderAlerts, faceCrops: run.counts.cropsSent });
        runs.push(run);
        const share = (v: number) => `${((100 * v) / run.bandwidth.totals.raw).toFixed(2)}%`;
        log(
          `  ${run.counts.frames} frames in ${run.wallSeconds.toFixed(1)} s; roof→fog ${share(run.bandwidth.totals.roofToFog)} of raw, fog→cloud ${share(run.bandwidth.totals.fogToCloud)}` +
            (run.accuracy ? `; AP50 ${run.accuracy.ap50.toFixed(3)}, coverage ${run.coverage!.covered}/${run.coverage!.identities}` : ''),
        );
        if (cameraIds.length > 1) for (const c of run.perCamera ?? []) log(`  camera ${c.cameraId}: ${c.framesProcessed}/${c.framesDecoded} frames processed, ${c.detections} detections${c.accuracy ? `, AP50 ${c.accuracy.ap50.toFixed(3)}` : ''}`);
      } finally {
        if (!options.keep) await rm(dataDir, { recursive: true, force: true });
      }
    }
  }

  let baseline: Report['baseline'];
  let description = config.fog.modelPath ? `${config.fog.family} ${config.fog.modelPath}` : 'Human CenterNet (no fog.modelPath: fallback detector)';
  if (truth && video && truth.size > 0) {
    log(`baseline: the detector on all ${truth.size} ground-truth frames, no gating`);
    const result = await runBaseline({ source: options.source, width: video.width, height: video.height, frames: [...truth.keys()], fog: config.fog, jpegQuality: config.roof.jpegQuality });
    description = result.description;
    const { pairs: _pairs, ...accuracy } = evaluateDetections([...truth.keys()].sort((a, b) => a - b).map((frame) => ({ frame, truth: truth!.get(frame)!, detections: result.detections.get(frame) ?? [] })));
    baseline = accuracy;
  }

  const identities = new Set<number>();
  for (const boxes of truth?.values() ?? []) for (const t of boxes) if (!t.ignore) identities.add(t.id);
  const stream = runs[0] ? await probeSourceStream(options.source, runs[0].video.seconds) : undefined;
  const report: Report = {
    generatedAt: new Date().toISOString(),
    command: options.command,
    source: options.source,
    model: { path: options.model, family: options.family, description },
    roof: { jpegQuality: config.roof.jpegQuality },
    ...(stream ? { sourceStream: stream } : {}),
    ...(truth && options.gt ? { groundTruth: { path: options.gt, frames: truth.size, boxes: [...truth.values()].reduce((n, b) => n + b.length, 0), identities: identities.size } } : {}),
    paper: { parameters: { ...PAPER_PARAMETERS }, rates: formulaRates(PAPER_PARAMETERS) },
    ...(baseline ? { baseline } : {}),
    runs,
    checks: consistencyChecks(runs),
    targets: targetRows(runs, baseline, stream?.bytes),
  };
  await writeReport(report, options.out);
  log(`report written to ${relative(process.cwd(), resolve(options.out)) || '.'}/report.md, report.json, bandwidth.svg`);
  return report;
}

/** Re-renders report.md and bandwidth.svg from a report.json (presentation changes without re-running). */
export async function renderReportFile(file: string, out: string): Promise<void> {
  const report = JSON.parse(await readFile(file, 'utf8')) as Report;
  // Older reports lack the camera's own stream: measured now from the source file when it is there.
  if (!report.sourceStream && report.runs[0] && existsSync(report.source)) {
    report.sourceStream = await probeSourceStream(report.source, report.runs[0].video.seconds);
    report.targets = targetRows(report.runs, report.baseline, report.sourceStream.bytes);
  }
  await writeReport(report, out);
}

export async function writeReport(report: Report, out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const groups = [
    { name: 'paper formula', rates: report.paper.rates },
    ...(report.sourceStream && report.runs[0] ? [{ name: "camera's own stream", rates: sourceStreamRates(report.sourceStream, report.runs[0].bandwidth.perSecond.raw) }] : []),
    ...report.runs.map((run) => ({ name: report.runs.length > 2 || report.runs.some((r) => r.placement !== 'all') ? runName(run) : `${run.policy} (measured)`, rates: run.bandwidth.perSecond })),
  ];
  await writeFile(join(out, 'bandwidth.svg'), bandwidthSvg(groups, `Bandwidth per hop: ${report.source.split('/').pop()}`));
  await writeFile(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(out, 'report.md'), renderMarkdown(report));
}
