import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR, PROJECT_DIR } from '@sentinel/testing';

const MAIN = join(DIST_DIR, 'main.js');

function runMain(args: string[]) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: PROJECT_DIR, encoding: 'utf8', timeout: 60_000, env: { ...process.env, SENTINEL_HTTP__PORT: undefined } });
}

describe('node dist/main command line', () => {
  it('prints the flags with --help and exits 0', () => {
    const result = runMain(['--help']);
    expect(result.status).toBe(0);
    for (const flag of ['--tier=all|roof|fog|cloud', '--config FILE', '--set key.path=value', '--port N', '--source FILE|URL']) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('exits with code 2 and lists every bad key of a bad configuration', () => {
    const result = runMain([
      '--tier=basement', '--port', '99999',
      '--set', 'links.roofToFog.transport=pigeon',
      '--set', 'links.fogToCloud.transport=tcp',
      '--set', 'links.notification.transport=redis',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid configuration');
    for (const problem of [
      'tier: tier must be one of: all, roof, fog, cloud',
      'http.port: port must be 0..65535',
      'links.roofToFog.transport: transport must be one of: inproc, tcp, redis',
      'links.fogToCloud.host: host is required for the tcp transport',
      'links.fogToCloud.port: port is required for the tcp transport',
      'links.notification.url: url is required for the redis transport',
    ]) {
      expect(result.stderr).toContain(problem);
    }
  });

  it('exits with code 2 on an unknown flag or an unreadable config file', () => {
    expect(runMain(['--colour=blue']).status).toBe(2);
    const missing = runMain(['--config', '/nonexistent/sentinel.yaml']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  });
});
