import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '@sentinel/config';
import { createSentinelApp } from '@sentinel/app';
import { FogService } from '@sentinel/detection';
import { FrameChangeService } from '@sentinel/frame-change';
import type { Placement, Policy } from '@sentinel/report';
import { pollUntil } from '@sentinel/evaluation';
import { ProcessSnapshot, fetchSnapshot, fetchStats } from './snapshot';
import { TierProcess, freePort, startTier } from './tier-process';

export interface PipelineRunOptions {
  source: string;
  /** One camera per id, each reading the same source. */
  cameraIds: readonly string[];
  policy: Policy;
  placement: Placement;
  /** Fresh folder for this run's databases, detection log and config file. */
  dataDir: string;
  modelPath?: string;
  family?: string;
  /** Extra `key.path=value` settings for every process. */
  sets: readonly string[];
  pace: boolean;
  /** Built project (split placements start `<distDir>/main.js`). */
  distDir: string;
  redisUrl: string;
  /** Longest wait for the video to be processed. */
  timeoutMs: number;
  log: (line: string) => void;
}

export interface PipelineRunResult {
  snapshots: Record<string, ProcessSnapshot>;
  wallSeconds: number;
  detectionLogPath: string;
}

export const DETECTION_LOG = 'detections.jsonl';
const LINKS = ['roofToFog', 'fogToCloud', 'notification'] as const;

async function linkSettings(placement: Placement, redisUrl: string): Promise<Record<string, unknown>> {
  if (placement === 'all') return {};
  const links: Record<string, unknown> = {};
  for (const link of LINKS) {
    links[link] = placement === 'split-tcp' ? { transport: 'tcp', host: '127.0.0.1', port: await freePort() } : { transport: 'redis', url: redisUrl };
  }
  return links;
}

/** Writes the run's YAML configuration (shared by every process of the run) and returns its path. */
async function writeRunConfig(options: PipelineRunOptions): Promise<string> {
  const config = {
    dataDir: options.dataDir,
    // Loopback only, short-lived, read by this script's own snapshots: no key needed.
    http: { host: '127.0.0.1', port: 0, auth: 'none' },
    links: await linkSettings(options.placement, options.redisUrl),
    roof: {
      cameras: options.cameraIds.map((id) => ({ id, source: resolve(options.source), pace: options.pace, policy: options.policy })),
      measureRawJpeg: true,
      demo: { enabled: false },
    },
    fog: {
      ...(options.modelPath ? { modelPath: resolve(options.modelPath), family: options.family } : {}),
      detectionLogPath: DETECTION_LOG,
      // A file read as fast as it can always has frames waiting in the fog: without this the fog would
      // thin out its detections as for a live camera falling behind. The report judges every frame.
      cadence: { maxIntervalWhenBehind: 1 },
    },
  };
  const file = join(options.dataDir, 'config.yaml');
  await writeFile(file, stringify(config));
  return file;
}

/** All tiers in this process over in-process links: boot, wait until the file is done, snapshot, close. */
async function runInProcess(options: PipelineRunOptions, configFile: string): Promise<PipelineRunResult> {
  const config = loadConfig({ file: configFile, sets: [...options.sets] });
  const sentinel = await createSentinelApp(config, { logger: ['warn', 'error'] });
  const started = performance.now();
  try {
    const roof = sentinel.app.get(FrameChangeService);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      roof.whenFilesDone(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the video was not processed within ${options.timeoutMs} ms`)), options.timeoutMs))),
    ]);
    clearTimeout(timer);
    await sentinel.app.get(FogService).drain();
    await sentinel.router.drain();
    const wallSeconds = (performance.now() - started) / 1000;
    return { snapshots: { all: await fetchSnapshot(sentinel.port) }, wallSeconds, detectionLogPath: join(options.dataDir, DETECTION_LOG) };
  } finally {
    await sentinel.close();
  }
}

/** Roof, fog and cloud as three OS processes (cloud first, roof last), linked by TCP or Redis. */
async function runSplit(options: PipelineRunOptions, configFile: string): Promise<PipelineRunResult> {
  const args = ['--config', configFile, ...options.sets.flatMap((set) => ['--set', set])];
  const tiers: TierProcess[] = [];
  try {
    for (const tier of ['cloud', 'fog', 'roof']) {
      options.log(`  starting tier ${tier}`);
      tiers.push(await startTier(options.distDir, tier, args));
    }
    const started = performance.now();
    const [cloud, fog, roof] = tiers;
    // Done when every camera has ended and every frame message sent has an outcome (acknowledged after the fog finished it).
    await pollUntil(
      async () => {
        const stats = await fetchStats(roof.port);
        const states = options.cameraIds.map((id) => stats.components[`roof.camera.${id}`]);
        const failed = states.findIndex((probe) => probe?.state === 'failed');
        if (failed >= 0) throw new Error(`camera ${options.cameraIds[failed]} failed: ${String(states[failed]?.lastError)}`);
        const link = stats.links.roofToFog;
        const sent = Object.values(link?.byPattern['frame.changed'] ?? {}).reduce((sum, cell) => sum + cell.sent.messages, 0);
        const settled = Object.values(link?.outcomes ?? {}).reduce((sum: number, n) => sum + (n ?? 0), 0);
        return states.every((probe) => probe?.state === 'ended') && settled >= sent ? true : undefined;
      },
      options.timeoutMs,
      'every camera to finish the video',
      500,
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const [roofSnap, fogSnap, cloudSnap] = await Promise.all([roof, fog, cloud].map((t) => fetchSnapshot(t.port)));
    return { snapshots: { roof: roofSnap, fog: fogSnap, cloud: cloudSnap }, wallSeconds, detectionLogPath: join(options.dataDir, DETECTION_LOG) };
  } catch (error) {
    for (const t of tiers) options.log(`--- tier ${t.tier} output (tail) ---\n${t.output().slice(-3000)}`);
    throw error;
  } finally {
    // Roof first, so nothing new is sent while the fog (which closes the detection log) stops.
    for (const t of [...tiers].reverse()) await t.stop();
  }
}

export async function runPipeline(options: PipelineRunOptions): Promise<PipelineRunResult> {
  const configFile = await writeRunConfig(options);
  return options.placement === 'all' ? runInProcess(options, configFile) : runSplit(options, configFile);
}
