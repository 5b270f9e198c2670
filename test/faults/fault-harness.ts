import { readFileSync } from 'node:fs';
import { TierProcess, fetchMetrics, freePort, startProcess, waitFor } from '../support/processes';
import { RedisInstance } from './redis-instance';

export type TierName = 'roof' | 'fog' | 'cloud' | 'notification';
const ENTRY = 'test/faults/fault-tier.js';
/** Streams of the durable links, as the harness configures them (the defaults). */
export const DURABLE_STREAMS = ['sentinel:fogToCloud', 'sentinel:notification'];

export interface RoofState {
  emitted: number;
  delivered: string[];
  dropped: number;
  failed: number;
  done: boolean;
}

export interface FaultFigures {
  /** Frames the fog acknowledged to the roof: each one's crop is on the durable link. */
  sent: number;
  /** Distinct crops that reached the notification end as an alert. */
  received: number;
  duplicates: number;
  lost: number;
  /** Alerts of frames whose acknowledgement the roof never got (the fog died after appending the crop). */
  extra: number;
  identities: number;
  framesDropped: number;
  framesFailed: number;
  /** Durable entries by what their consumers did with them (recovered: own pending after a restart; duplicate: a second copy not handled). */
  streamEvents: Record<string, number>;
  /** Peak resident memory (VmHWM) of each process, MB (for a restarted tier: since its restart). */
  peakRssMb: Record<TierName, number>;
}

/**
 * Four OS processes (roof, fog, cloud, notification) of the real app with the fault tests' stand-in
 * modules: roof -> fog over TCP (frames, droppable), fog -> cloud and cloud -> notification on
 * redis-streams links in the test's own Redis (crops, identities, alerts: durable).
 */
export class FaultRig {
  readonly tiers = {} as Record<TierName, TierProcess>;
  private readonly args = {} as Record<TierName, string[]>;

  private constructor(readonly redis: RedisInstance, private readonly env: NodeJS.ProcessEnv) {}

  static async start(env: NodeJS.ProcessEnv, extraArgs: string[] = [], firstEnv: Partial<Record<TierName, NodeJS.ProcessEnv>> = {}): Promise<FaultRig> {
    const rig = new FaultRig(await RedisInstance.start(), env);
    const common = [
      '--port=0',
      '--set=http.host=127.0.0.1',
      '--set=http.auth=none', // the fault tests read /fault/* and /metrics; auth is tested elsewhere
      '--set=links.roofToFog.transport=tcp',
      '--set=links.roofToFog.host=127.0.0.1',
      `--set=links.roofToFog.port=${await freePort()}`,
      ...['fogToCloud', 'notification'].flatMap((link) => [
        `--set=links.${link}.transport=redis-streams`,
        `--set=links.${link}.url=${rig.redis.url}`,
        `--set=links.${link}.claimIdleMs=2000`,
        `--set=links.${link}.timeoutMs=120000`,
      ]),
      ...extraArgs,
    ];
    rig.args.notification = ['--tier=cloud', '--set=placement.cloud=[notification]', '--set=links.notification.consumer=notification-1', ...common];
    rig.args.cloud = ['--tier=cloud', '--set=placement.cloud=[face-recognition]', '--set=links.fogToCloud.consumer=cloud-1', ...common];
    rig.args.fog = ['--tier=fog', ...common];
    rig.args.roof = ['--tier=roof', ...common];
    for (const tier of ['notification', 'cloud', 'fog', 'roof'] as const) await rig.launch(tier, firstEnv[tier]);
    return rig;
  }

  async launch(tier: TierName, env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.tiers[tier] = await startProcess(ENTRY, this.args[tier], { ...this.env, ...env });
  }

  /** Resolves when a tier's process has exited (e.g. killed itself). */
  exited(tier: TierName): Promise<unknown> {
    const { child } = this.tiers[tier];
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', resolve));
  }

  async kill(tier: TierName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const { child } = this.tiers[tier];
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  signal(tier: TierName, signal: NodeJS.Signals): void {
    this.tiers[tier].child.kill(signal);
  }

  async state<T>(tier: TierName): Promise<T> {
    return (await (await fetch(`http://127.0.0.1:${this.tiers[tier].port}/fault/${tier}`)).json()) as T;
  }

  /** Resident memory (VmRSS) of a tier now, MB. */
  rssMb(tier: TierName): number {
    return procStatusMb(this.tiers[tier].child.pid!, 'VmRSS');
  }

  /** Waits until the roof has sent everything, every durable stream is drained, and reports the figures. */
  async settle(timeoutMs: number): Promise<FaultFigures> {
    const roof = await waitFor(async () => {
      const state = await this.state<RoofState>('roof');
      return state.done ? state : undefined;
    }, timeoutMs, 'the roof to finish its frames');
    const redis = this.redis.client();
    try {
      await waitFor(async () => {
        for (const stream of DURABLE_STREAMS) {
          const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
          for (const group of groups) {
            const info = new Map<string, unknown>();
            for (let i = 0; i + 1 < group.length; i += 2) info.set(String(group[i]), group[i + 1]);
            if (Number(info.get('pending')) !== 0 || Number(info.get('lag')) !== 0) return undefined;
          }
        }
        return true;
      }, timeoutMs, 'the durable streams to drain');
    } finally {
      redis.disconnect();
    }
    const { alerts, identities } = await this.state<{ alerts: Record<string, number>; identities: Record<string, number> }>('notification');
    const delivered = new Set(roof.delivered);
    const received = Object.keys(alerts);
    return {
      sent: delivered.size,
      received: received.filter((subject) => delivered.has(subject)).length,
      duplicates: Object.values(alerts).reduce((sum, count) => sum + count - 1, 0),
      lost: [...delivered].filter((subject) => !(subject in alerts)).length,
      extra: received.filter((subject) => !delivered.has(subject)).length,
      identities: Object.keys(identities).length,
      framesDropped: roof.dropped,
      framesFailed: roof.failed,
      streamEvents: await this.streamEvents(),
      peakRssMb: Object.fromEntries((['roof', 'fog', 'cloud', 'notification'] as const).map((tier) => [tier, procStatusMb(this.tiers[tier].child.pid!, 'VmHWM')])) as Record<TierName, number>,
    };
  }

  /** sentinel_stream_events_total of the cloud and the notification end, summed by event. */
  private async streamEvents(): Promise<Record<string, number>> {
    const events: Record<string, number> = {};
    for (const tier of ['cloud', 'notification'] as const) {
      for (const sample of await fetchMetrics(this.tiers[tier].port)) {
        if (sample.name === 'sentinel_stream_events_total') events[sample.labels.event] = (events[sample.labels.event] ?? 0) + sample.value;
      }
    }
    return events;
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.tiers).map((tier) => tier.stop()));
    await this.redis.dispose();
  }
}

function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

export function printFigures(scenario: string, figures: FaultFigures): void {
  const { peakRssMb, streamEvents, ...counts } = figures;
  const events = Object.entries(streamEvents).map(([event, n]) => `${event} ${n}`).join(', ');
  const rss = Object.entries(peakRssMb).map(([tier, mb]) => `${tier} ${mb} MB`).join(', ');
  process.stdout.write(`[faults] ${scenario}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(' / ')}; stream events: ${events}; peak RSS ${rss}\n`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
