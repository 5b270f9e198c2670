import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { TEST_KEY_HEADERS } from '../support/api-key';
import { TierProcess, startProcess } from '../support/processes';
import { LOOPBACK, selfSignedCertificate, tcpLinkSets, tempDir } from './support';

function httpsGet(port: number, path: string, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; cookie?: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, ca, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode! }));
    }).on('error', reject);
  });
}

/** http.tls: the API speaks HTTPS with a certificate the test makes with openssl; plain HTTP gets nothing. */
describe('HTTPS (real roof process)', () => {
  jest.setTimeout(60_000);
  const dir = tempDir('https-');
  const certificate = selfSignedCertificate(dir.dir);
  let roof: TierProcess;

  beforeAll(async () => {
    roof = await startProcess('main.js', [
      '--tier=roof', ...LOOPBACK, ...(await tcpLinkSets()), `--set=dataDir=${dir.dir}`,
      `--set=http.tls.cert=${certificate.cert}`, `--set=http.tls.key=${certificate.key}`,
    ]);
  });

  afterAll(async () => {
    await roof?.stop();
    dir.remove();
  });

  it('serves the API over TLS, verified against the certificate, still behind the key', async () => {
    const ca = readFileSync(certificate.cert);
    expect((await httpsGet(roof.port, '/stats', ca, TEST_KEY_HEADERS)).status).toBe(200);
    expect((await httpsGet(roof.port, '/stats', ca)).status).toBe(401);
    await expect(httpsGet(roof.port, '/stats', Buffer.alloc(0))).rejects.toThrow(/self-signed|certificate/i);
    await expect(fetch(`http://127.0.0.1:${roof.port}/health`)).rejects.toThrow();
  });
});
