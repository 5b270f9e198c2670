import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TierProcess {
  tier: string;
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const READY = /HTTP on port (\d+)/;

/** Starts `node <dist>/main.js --tier=<tier> ...args` and resolves when it reports its HTTP port. */
export function startTier(distDir: string, tier: string, args: readonly string[], timeoutMs = 180_000): Promise<TierProcess> {
  const entry = join(distDir, 'main.js');
  if (!existsSync(entry)) return Promise.reject(new Error(`${entry} is missing: run \`npm run build\` first`));
  const child = spawn(process.execPath, [entry, `--tier=${tier}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`tier ${tier} not ready after ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      // Keep the tail only: a long run logs a lot.
      output = (output + chunk.toString()).slice(-64_000);
      const match = READY.exec(output);
      if (match && timer) {
        clearTimeout(timer);
        resolve({ tier, port: Number(match[1]), child, output: () => output, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tier ${tier} exited (${code ?? signal}) before it was ready:\n${output.slice(-4000)}`));
    });
  });
}
