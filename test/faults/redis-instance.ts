import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, waitFor } from '../support/processes';

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `describe` where redis-server can be started (always under CI=true, where its absence must fail). */
export const describeWithRedisServer = hasRedisServer() || process.env.CI === 'true' ? describe : describe.skip;

/**
 * A redis-server of the test's own on a free port (the machine's Redis is never stopped). It keeps an
 * append-only file in a temporary folder, fsynced on every write: a Redis carrying durable links must
 * keep its streams across its own restart, and the outage test stops and starts it.
 */
export class RedisInstance {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'sentinel-faults-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisInstance> {
    const instance = new RedisInstance(await freePort());
    await instance.resume();
    return instance;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server (again) on the same port and folder; resolves once it answers PING. */
  async resume(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(async () => {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG' ? true : undefined;
      } catch {
        return undefined;
      } finally {
        probe.disconnect();
      }
    }, 10_000, `redis-server on port ${this.port}`);
  }

  /** Shuts redis-server down (SIGTERM: it flushes its append-only file) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  client(): Redis {
    return new Redis(this.url);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
