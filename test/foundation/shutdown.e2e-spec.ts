import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SENTINEL_NODE_FLAGS } from '@sentinel/evaluation';
import { DIST_DIR, PROJECT_DIR, TEST_KEY_ENV, apiFetch, waitFor } from '@sentinel/testing';

const MAIN = join(DIST_DIR, 'main.js');
jest.setTimeout(120_000);

/**
 * Ctrl-C at a terminal: SIGINT to the whole process group, so the roof's ffmpeg ends at the same
 * moment the app starts stopping. The quick start's process (all tiers, the demo camera) must stop
 * cleanly: no camera-down alert for its own shutdown and no write into a closed event store.
 */
describe('Ctrl-C on node dist/main (all tiers, demo camera)', () => {
  let dataDir: string;
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
    dataDir = mkdtempSync(join(tmpdir(), 'sentinel-shutdown-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops on SIGINT to its process group without a camera-down alert or a closed-store error', async () => {
    // detached: the child leads its own process group, as a shell makes a foreground job.
    const child = spawn(process.execPath, [...SENTINEL_NODE_FLAGS, MAIN, '--port=0', '--set=http.host=127.0.0.1', `--set=dataDir=${dataDir}`], {
      cwd: PROJECT_DIR,
      env: { ...process.env, ...TEST_KEY_ENV, SENTINEL_HTTP__PORT: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      const port = await waitFor(() => Number(/HTTP on port (\d+)/.exec(output)?.[1]) || undefined, 90_000, 'the app to listen');
      // The demo camera is really running (frames decoded) before the signal.
      await waitFor(async () => {
        const stats = (await (await apiFetch(`http://127.0.0.1:${port}/stats`)).json()) as { components?: Record<string, { framesDecoded?: number }> };
        return (stats.components?.['roof.camera.demo']?.framesDecoded ?? 0) > 5 || undefined;
      }, 30_000, 'demo camera frames');

      process.kill(-child.pid!, 'SIGINT');
      const { code, signal } = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not stopped 30 s after SIGINT:\n${output.slice(-3000)}`)), 30_000))]);
      expect(code === 0 || signal === 'SIGINT').toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    expect(output).not.toMatch(/database connection is not open|event store is closed/);
    expect(output).not.toMatch(/camera demo is down|camera demo .* failed/);

    const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const kinds = db.prepare('SELECT kind, COUNT(*) AS n FROM events GROUP BY kind').all() as { kind: string; n: number }[];
      expect(kinds.find((row) => row.kind === 'camera-down')).toBeUndefined();
    } finally {
      db.close();
    }
  });
});
