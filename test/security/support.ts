import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/processes';

/** A temporary data folder per tier process; removed by `remove`. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `--set` flags of a three-process deployment over TCP links on free loopback ports (no broker needed). */
export async function tcpLinkSets(): Promise<string[]> {
  const sets: string[] = [];
  for (const link of ['roofToFog', 'fogToCloud', 'notification']) {
    sets.push(`--set=links.${link}.transport=tcp`, `--set=links.${link}.host=127.0.0.1`, `--set=links.${link}.port=${await freePort()}`);
  }
  return sets;
}

/** Flags every tier process of these tests shares: loopback HTTP on a free port, no demo camera. */
export const LOOPBACK = ['--port=0', '--set=http.host=127.0.0.1', '--set=roof.demo.enabled=false'];

export interface TestCertificate {
  cert: string;
  key: string;
}

/** A self-signed certificate for 127.0.0.1/localhost made with the openssl CLI (it is its own CA). */
export function selfSignedCertificate(dir: string, name = 'server'): TestCertificate {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}
