import { readFileSync } from 'node:fs';
import Redis from 'ioredis';
import { decodePacket } from '@sentinel/transport';
import { TierProcess, startProcess, waitFor } from '../support/processes';
import { RedisInstance } from './redis-instance';
import type { CameraState } from './replica-modules';

export const REPLICA_ENTRY = 'test/faults/replica-tier.js';
export const ROOF_TO_FOG = 'sentinel:roofToFog';
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LeaseEvent {
  at: number;
  camera: string;
  event: 'first' | 'handover' | 'takeover' | 'released' | 'expired';
  from?: string;
}

export interface LeaseStats {
  token: string;
  owned: Array<{ camera: string; since: number; how: string }>;
  counts: Record<string, number>;
  events: LeaseEvent[];
  site?: string;
}

/** One camera of a stand-in fog's `/fault/fog` report. */
export type FogCamera = CameraState;

async function getJson<T>(port: number, path: string): Promise<T> {
  return (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as T;
}

/** The fog's camera leases as its /stats shows them. */
export async function leasesOf(tier: TierProcess): Promise<LeaseStats> {
  const stats = await getJson<{ components: Record<string, LeaseStats> }>(tier.port, '/stats');
  return stats.components['link:roofToFog:leases'];
}

export async function fogCameras(tier: TierProcess): Promise<Record<string, FogCamera>> {
  return (await getJson<{ cameras: Record<string, FogCamera> }>(tier.port, '/fault/fog')).cameras;
}

export async function alertsAt(tier: TierProcess): Promise<Record<string, number>> {
  return (await getJson<{ alerts: Record<string, number> }>(tier.port, '/fault/notification')).alerts;
}

export function peakRssMb(tier: TierProcess): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${tier.child.pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

export async function kill(tier: TierProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const exited = new Promise((resolve) => tier.child.once('exit', resolve));
  tier.child.kill(signal);
  await exited;
}

/**
 * lavfi cameras of the real roof: a white box crossing a grey scene (a different speed per camera),
 * so policy `regions` sends the box's region between whole frames and a fog must hold the base frame.
 */
export function lavfiCameras(ids: readonly string[], fps: number): string {
  const source = (i: number) => `'lavfi:color=c=gray:s=320x240:r=${fps}[bg];color=c=white:s=40x40:r=${fps}[fg];[bg][fg]overlay=x=mod(t*${60 + 15 * i}\\,280):y=${40 + 40 * i}[out0]'`;
  return `[${ids.map((id, i) => `{id: ${id}, source: ${source(i)}}`).join(', ')}]`;
}

/** Durable and per-camera link settings shared by every process of a rig (one Redis per `url`). */
export function streamArgs(links: string[], url: string): string[] {
  return links.flatMap((link) => [
    `--set=links.${link}.transport=redis-streams`,
    `--set=links.${link}.url=${url}`,
    `--set=links.${link}.claimIdleMs=2000`,
    `--set=links.${link}.timeoutMs=180000`,
  ]);
}

export const COMMON_ARGS = ['--port=0', '--set=http.host=127.0.0.1', '--set=http.auth=none'];

export function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<TierProcess> {
  return startProcess(REPLICA_ENTRY, args, env, 90_000);
}

/** Entries of a stream's groups not yet acknowledged (pending + lag), 0 when every entry was handled. */
export async function unacknowledged(redis: Redis, stream: string): Promise<number> {
  const groups = (await redis.xinfo('GROUPS', stream).catch(() => [])) as unknown[][];
  let total = 0;
  for (const group of groups) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < group.length; i += 2) info.set(String(group[i]), group[i + 1]);
    total += Number(info.get('pending') ?? 0) + Number(info.get('lag') ?? 0);
  }
  return total;
}

export async function drained(redis: Redis, streams: readonly string[], timeoutMs: number): Promise<void> {
  await waitFor(async () => {
    for (const stream of streams) if ((await unacknowledged(redis, stream)) > 0) return undefined;
    return true;
  }, timeoutMs, `streams ${streams.join(', ')} to drain`);
}

/** Face crops on a fogToCloud stream: how many entries, how many distinct idempotency keys, and their subjects (camera/seq). */
export async function cropsOnStream(redis: Redis, stream: string): Promise<{ entries: number; keys: number; subjects: Set<string> }> {
  const entries = (await redis.xrangeBuffer(stream, '-', '+')) as Array<[Buffer, Buffer[]]>;
  const keys = new Set<string>();
  const subjects = new Set<string>();
  let count = 0;
  for (const [, flat] of entries) {
    const fields = new Map<string, Buffer>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i].toString(), flat[i + 1]);
    if (fields.get('p')?.toString() !== 'face.crop') continue;
    count += 1;
    keys.add(fields.get('k')!.toString());
    const packet = decodePacket(fields.get('b')!) as { data: { cameraId: string; seq: number } };
    subjects.add(`${packet.data.cameraId}/${packet.data.seq}`);
  }
  return { entries: count, keys: keys.size, subjects };
}

/**
 * Per camera, the ownership intervals from every fog's lease events (a fog killed at `killedAt[token]`
 * owned what it held until then): true when no two overlap.
 */
export function ownershipOverlaps(events: Array<LeaseEvent & { token: string }>, killedAt: Record<string, number>): string[] {
  const problems: string[] = [];
  const byCamera = new Map<string, Array<{ token: string; from: number; to: number }>>();
  const open = new Map<string, { token: string; from: number }>();
  for (const event of [...events].sort((a, b) => a.at - b.at)) {
    const key = `${event.camera}\n${event.token}`;
    if (event.event === 'released' || event.event === 'expired') {
      const start = open.get(key);
      if (start) byCamera.set(event.camera, [...(byCamera.get(event.camera) ?? []), { ...start, to: event.at }]);
      open.delete(key);
    } else {
      open.set(key, { token: event.token, from: event.at });
    }
  }
  for (const [key, start] of open) {
    const camera = key.split('\n')[0];
    byCamera.set(camera, [...(byCamera.get(camera) ?? []), { ...start, to: killedAt[start.token] ?? Infinity }]);
  }
  for (const [camera, intervals] of byCamera) {
    intervals.sort((a, b) => a.from - b.from);
    for (let i = 1; i < intervals.length; i += 1) {
      if (intervals[i].from < intervals[i - 1].to) problems.push(`${camera}: ${intervals[i - 1].token} [${intervals[i - 1].from}, ${intervals[i - 1].to}) overlaps ${intervals[i].token} from ${intervals[i].from}`);
    }
  }
  return problems;
}

export async function withRedis<T>(instance: RedisInstance, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = instance.client();
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}
