import { join } from 'node:path';
import { SentinelProcess, startSentinelProcess } from '@sentinel/evaluation';

export { freePort } from '@sentinel/evaluation';

export interface TierProcess extends SentinelProcess {
  tier: string;
}

/** Starts `node <dist>/main.js --tier=<tier> ...args` and resolves when it reports its HTTP port. */
export async function startTier(distDir: string, tier: string, args: readonly string[], timeoutMs = 180_000): Promise<TierProcess> {
  const started = await startSentinelProcess(join(distDir, 'main.js'), [`--tier=${tier}`, ...args], { timeoutMs });
  return { ...started, tier };
}
