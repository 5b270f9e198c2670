import { spawnSync } from 'node:child_process';
import { describeWhen } from './shared-data';

export type TestService = 'REDIS' | 'MQTT';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const MQTT_URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';

const urls: Record<TestService, string> = { REDIS: REDIS_URL, MQTT: MQTT_URL };

/** `describe` for suites that need a running broker (probed once in global-setup.js). */
export function describeWithService(service: TestService, name: string, body: () => void): void {
  const up = process.env[`EDGE_TEST_${service}_UP`] === '1';
  describeWhen(up, name, `${service} at ${urls[service]}`, `${service} is not reachable at ${urls[service]}`, body);
}

/** True when `command` runs (exit 0) with `probeArgs`, e.g. `kubectl version --client`. */
export function commandRuns(command: string, probeArgs: readonly string[]): boolean {
  const probe = spawnSync(command, probeArgs, { stdio: 'ignore', timeout: 20_000 });
  return probe.status === 0;
}

/** `describe` for suites that need a command-line tool on PATH. */
export function describeWithCommand(command: string, probeArgs: readonly string[], name: string, body: () => void): void {
  describeWhen(commandRuns(command, probeArgs), name, `${command} on PATH`, `${command} is not installed (\`${[command, ...probeArgs].join(' ')}\` failed)`, body);
}
