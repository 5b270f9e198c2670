import { ChildProcess, spawn } from 'node:child_process';
import { probeRedis } from '@sentinel/transport';
import { waitFor } from '@sentinel/testing';

/** A Redis of the test's own on a free port, without persistence (the machine's Redis is left alone). */
export async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
  await waitFor(async () => ((await probeRedis(`redis://127.0.0.1:${port}`)).ok ? true : undefined), 10_000, 'the test Redis');
  return redis;
}

/** Kills it (SIGKILL: an outage, not a clean shutdown) and waits for the exit. */
export async function stopRedis(redis: ChildProcess): Promise<void> {
  if (redis.exitCode !== null || redis.signalCode !== null) return;
  const exited = new Promise((resolve) => redis.once('exit', resolve));
  redis.kill('SIGKILL');
  await exited;
}
