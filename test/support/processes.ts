import { join } from 'node:path';
import { SentinelProcess, startSentinelProcess } from '@sentinel/evaluation';
import { MetricSample, parsePrometheus } from '@sentinel/report';
import { TEST_KEY_ENV, apiFetch } from './api-key';

export const PROJECT_DIR = join(__dirname, '..', '..');
export const DIST_DIR = join(PROJECT_DIR, 'dist');

export { freePort, pollUntil as waitFor } from '@sentinel/evaluation';
export type { MetricSample } from '@sentinel/report';

export type TierProcess = SentinelProcess;

/** Starts a built entry (`dist/...js`) as an OS process (accepting TEST_API_KEY); resolves once it reports its HTTP port. */
export function startProcess(entry: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<TierProcess> {
  return startSentinelProcess(join(DIST_DIR, entry), args, { env: { ...TEST_KEY_ENV, ...env }, cwd: PROJECT_DIR, timeoutMs });
}

export async function fetchMetrics(port: number): Promise<MetricSample[]> {
  const response = await apiFetch(`http://127.0.0.1:${port}/metrics`);
  return parsePrometheus(await response.text());
}
