import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (bound, then released; fine for processes on one machine). */
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

export interface SentinelProcess {
  child: ChildProcess;
  /** HTTP port the process reported when it was ready. */
  port: number;
  /** The tail of what it printed. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /**
   * Run under `nice -n N` (every thread of it): a process that shares the machine with the one being
   * measured but would run elsewhere in a deployment (the capacity bench's cloud beside the fog).
   */
  nice?: number;
}

/**
 * Node flags every sentinel process runs with (npm start, the Docker image, the report's split
 * runs). `--single-threaded-gc`: V8's concurrent marking helpers compete with ffmpeg and libvips for
 * the roof's one or two cores; on a 2-core machine the roof in `regions` mode fell from ~380 to
 * ~260 frames/s after ~20 s of a looping file with them, and held ~370 without (bench/roof.bench.ts).
 * V8 refuses this flag in NODE_OPTIONS and cannot take it at run time, so it goes on the command line.
 */
export const SENTINEL_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

/** The line createSentinelApp logs once the HTTP server listens. */
const READY = /HTTP on port (\d+)/;
const OUTPUT_TAIL = 64_000;

/**
 * Starts a built entry (`dist/main.js`, or another runner of the app) as an OS process and resolves
 * once it reports its HTTP port; fails with its output if it exits first or is not ready in time.
 */
export function startSentinelProcess(script: string, args: readonly string[], options: StartOptions = {}): Promise<SentinelProcess> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  if (!existsSync(script)) return Promise.reject(new Error(`${script} is missing: run \`npm run build\` first`));
  const command = [process.execPath, ...SENTINEL_NODE_FLAGS, script, ...args];
  // nice execs node in place: the child's pid is node's.
  const [file, ...rest] = options.nice === undefined ? command : ['nice', '-n', String(options.nice), ...command];
  const child = spawn(file, rest, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const describe = `${script} ${args.join(' ')}`;
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
      reject(new Error(`${describe} not ready after ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), output: () => output, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${describe} exited (${code ?? signal}) before it was ready:\n${output.slice(-4000)}`));
    });
  });
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function pollUntil<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
