import { Injectable } from '@nestjs/common';

/**
 * up: working. degraded: working, but part of it is not (a channel failing, a peer unreachable).
 * down: not working.
 */
export type ComponentStatus = 'up' | 'degraded' | 'down';

export interface ComponentHealth {
  status: ComponentStatus;
  /** Why it is not up (shown in /health/ready and /health). */
  reason?: string;
  [detail: string]: unknown;
}

export type HealthProbe = () => ComponentHealth | Promise<ComponentHealth>;

export interface ProbeOptions {
  /**
   * true (default): the tier cannot work without it, so its being down makes the tier unready (503).
   * false: a channel or peer; its being down leaves the tier ready but degraded.
   */
  required?: boolean;
}

/** The tier as a whole: `down` when a required component is down, `degraded` when anything else is not up. */
export type TierStatus = 'ok' | 'degraded' | 'down';

export interface HealthReport {
  status: TierStatus;
  ready: boolean;
  /** One line per component that is not up: `name: reason`. */
  reasons: string[];
  components: Record<string, ComponentHealth & { required: boolean }>;
}

/** A probe that neither answers nor fails within this time is down. */
const PROBE_TIMEOUT_MS = 3_000;

/** Pure: the tier's status from its components' (unit-tested). */
export function summarizeHealth(components: Record<string, ComponentHealth & { required: boolean }>): HealthReport {
  const reasons: string[] = [];
  let ready = true;
  let degraded = false;
  for (const [name, health] of Object.entries(components)) {
    if (health.status === 'up') continue;
    reasons.push(`${name}: ${health.reason ?? health.status}`);
    if (health.status === 'down' && health.required) ready = false;
    else degraded = true;
  }
  return { status: !ready ? 'down' : degraded ? 'degraded' : 'ok', ready, reasons, components };
}

/**
 * Modules and links register a probe that reads their real state. `/health/ready` and `/health`
 * fail (503) when a required component is down; optional ones (channels, peers) degrade the tier.
 */
@Injectable()
export class HealthRegistry {
  private readonly probes = new Map<string, { probe: HealthProbe; required: boolean }>();

  register(name: string, probe: HealthProbe, options: ProbeOptions = {}): void {
    this.probes.set(name, { probe, required: options.required ?? true });
  }

  names(): string[] {
    return [...this.probes.keys()];
  }

  async check(name: string): Promise<ComponentHealth> {
    const entry = this.probes.get(name);
    if (!entry) return { status: 'down', reason: 'not registered' };
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<ComponentHealth>((resolve) => {
        timer = setTimeout(() => resolve({ status: 'down', reason: `probe gave no answer within ${PROBE_TIMEOUT_MS} ms` }), PROBE_TIMEOUT_MS);
      });
      return await Promise.race([Promise.resolve().then(entry.probe), timedOut]);
    } catch (error) {
      return { status: 'down', reason: `probe failed: ${(error as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.probes].map(async ([name, { required }]) => [name, { ...(await this.check(name)), required }] as const),
    );
    return summarizeHealth(Object.fromEntries(entries));
  }
}
