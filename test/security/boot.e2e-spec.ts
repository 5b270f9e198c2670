import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startSentinelProcess } from '@sentinel/evaluation';
import { DIST_DIR, PROJECT_DIR, freePort } from '../support/processes';
import { tempDir } from './support';

interface Exit {
  code: number | null;
  output: string;
}

/** Runs `node dist/main ...` to its end (bounded: killed after 60 s). */
function runToExit(args: string[], cwd = PROJECT_DIR): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIST_DIR, 'main.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

/** A boot problem is printed like a configuration error: one headed list, no stack trace, exit 2. */
function expectTidyBootError(exit: Exit, message: RegExp): void {
  expect(exit.code).toBe(2);
  expect(exit.output).toMatch(/edge-sentinel: cannot start:\n {2}- /);
  expect(exit.output).toMatch(message);
  expect(exit.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(exit.output).not.toContain('ExceptionHandler');
}

async function tcpLinks(): Promise<string[]> {
  const sets: string[] = [];
  for (const link of ['roofToFog', 'fogToCloud', 'notification']) {
    sets.push(`--set=links.${link}.transport=tcp`, `--set=links.${link}.host=127.0.0.1`, `--set=links.${link}.port=${await freePort()}`);
  }
  return sets;
}

describe('boot errors and shipped configurations (node dist/main)', () => {
  jest.setTimeout(180_000);
  const dir = tempDir('boot-');
  afterAll(() => dir.remove());

  it('a missing model exits 2 with a tidy message, no Nest stack trace', async () => {
    const exit = await runToExit(['--tier=fog', '--port=0', `--set=dataDir=${dir.dir}`, '--set=fog.modelPath=/nonexistent/yolo.onnx', '--set=fog.family=yolov5', ...(await tcpLinks())]);
    expectTidyBootError(exit, /fog\.modelPath \/nonexistent\/yolo\.onnx: file not found/);
  });

  it('an unusable model (not ONNX) exits 2 in the same format', async () => {
    const broken = join(dir.dir, 'broken.onnx');
    writeFileSync(broken, 'definitely not protobuf');
    const exit = await runToExit(['--tier=fog', '--port=0', `--set=dataDir=${dir.dir}`, `--set=fog.modelPath=${broken}`, '--set=fog.family=yolov8', ...(await tcpLinks())]);
    expectTidyBootError(exit, /not a loadable ONNX model/);
  });

  it('refuses to create a missing absolute dataDir, and creates nothing', async () => {
    const missing = join(dir.dir, 'absent', 'state');
    const exit = await runToExit(['--tier=roof', '--port=0', `--set=dataDir=${missing}`, '--set=roof.demo.enabled=false', ...(await tcpLinks())]);
    expectTidyBootError(exit, /dataDir .*absent\/state does not exist/);
    expect(existsSync(join(dir.dir, 'absent'))).toBe(false);
  });

  it('an unreadable TLS certificate exits 2 in the same format', async () => {
    const exit = await runToExit(['--tier=roof', '--port=0', `--set=dataDir=${dir.dir}`, '--set=roof.demo.enabled=false', '--set=http.tls.cert=/nonexistent.crt', '--set=http.tls.key=/nonexistent.key', ...(await tcpLinks())]);
    expectTidyBootError(exit, /http\.tls\.cert \/nonexistent\.crt: cannot read \(ENOENT\)/);
  });

  it('every shipped config/*.yaml starts, or stops with exit 2 on what its header says must be provided', async () => {
    const files = readdirSync(join(PROJECT_DIR, 'config')).filter((name) => name.endsWith('.yaml'));
    expect(files).toEqual(expect.arrayContaining(['default.yaml', 'roof.yaml', 'fog.yaml', 'cloud.yaml']));
    for (const name of files) {
      const file = join(PROJECT_DIR, 'config', name);
      const text = readFileSync(file, 'utf8');
      const header = text.split('\n').filter((line) => line.startsWith('#')).join('\n');
      const config = parse(text) as { links?: Record<string, { transport?: string }> };
      // Free ports instead of the documented ones (a test must not collide with services on this machine).
      const ports: string[] = [];
      for (const [link, settings] of Object.entries(config.links ?? {})) {
        if (settings.transport === 'tcp') ports.push(`--set=links.${link}.port=${await freePort()}`);
      }
      // A fresh clone's working folder: the relative paths (dataDir, models/...) resolve under it.
      const clone = tempDir(`clone-${name}-`);
      const args = ['--config', file, '--port=0', '--set=http.host=127.0.0.1', ...ports];
      try {
        if (/^# NEEDS/m.test(header)) {
          const exit = await runToExit(args, clone.dir);
          const problem = /cannot start:\n {2}- ([a-zA-Z.]+)/.exec(exit.output)?.[1];
          expectTidyBootError(exit, /cannot start/);
          expect({ name, problem, named: header.includes(problem ?? '?') }).toEqual({ name, problem, named: true });
        } else {
          expect({ name, header: /Starts on a fresh clone/.test(header) }).toEqual({ name, header: true });
          const tier = await startSentinelProcess(join(DIST_DIR, 'main.js'), args, { cwd: clone.dir, timeoutMs: 60_000 });
          await tier.stop();
        }
      } finally {
        clone.remove();
      }
    }
  });
});
