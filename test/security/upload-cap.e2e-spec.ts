import { readFileSync } from 'node:fs';
import { ClientRequest, IncomingMessage, request } from 'node:http';
import { TEST_KEY_HEADERS } from '../support/api-key';
import { TierProcess, startProcess } from '../support/processes';
import { LOOPBACK, tcpLinkSets, tempDir } from './support';

const MAX_CONCURRENT = 2;
const UPLOAD_BYTES = 24 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 0x5a);
const BOUNDARY = 'sentinel-upload-cap';

const rssBytes = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

interface Upload {
  request: ClientRequest;
  response: Promise<IncomingMessage & { body: string }>;
  /** Writes `bytes` of the file part, resolving once the socket took them. */
  send(bytes: number): Promise<void>;
  finish(): void;
}

/** A multipart POST /recognize whose body is written piece by piece (held open between pieces). */
function startUpload(port: number): Upload {
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/recognize',
    headers: { ...TEST_KEY_HEADERS, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  });
  const response = new Promise<IncomingMessage & { body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(Object.assign(res, { body })));
    });
    req.on('error', reject);
  });
  req.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const write = (chunk: Buffer) => new Promise<void>((resolve, reject) => req.write(chunk, (err) => (err ? reject(err) : resolve())));
  return {
    request: req,
    response,
    async send(bytes) {
      for (let sent = 0; sent < bytes; sent += CHUNK.length) await write(CHUNK);
    },
    finish: () => req.end(`\r\n--${BOUNDARY}--\r\n`),
  };
}

/**
 * At most http.uploads.maxConcurrent uploads are read at once: the next one is refused before its body is
 * read (503 + Retry-After), so memory stays bounded by the cap whatever the number of clients.
 */
describe('upload cap (real cloud process)', () => {
  jest.setTimeout(120_000);
  const data = tempDir('upload-cap-');
  let cloud: TierProcess;

  beforeAll(async () => {
    cloud = await startProcess('main.js', [
      '--tier=cloud',
      ...LOOPBACK,
      ...(await tcpLinkSets()),
      `--set=dataDir=${data.dir}`,
      `--set=http.uploads.maxConcurrent=${MAX_CONCURRENT}`,
      '--set=http.uploads.retryAfterSec=7',
      `--set=cloud.maxUploadBytes=${32 * 1024 * 1024}`,
    ]);
  });

  afterAll(async () => {
    await cloud?.stop();
    data.remove();
  });

  it('refuses upload N+1 with 503 and Retry-After while N are in progress; RSS grows by the N, not by the refused ones', async () => {
    const pid = cloud.child.pid!;
    const baseline = rssBytes(pid);
    const held = Array.from({ length: MAX_CONCURRENT }, () => startUpload(cloud.port));
    await Promise.all(held.map((upload) => upload.send(UPLOAD_BYTES)));
    const withHeld = rssBytes(pid);

    const refusedCount = 4;
    const refused = Array.from({ length: refusedCount }, () => startUpload(cloud.port));
    // Each refused client pushes a body on; the server answers at once, then reads and throws away what
    // follows for a moment so the client gets the answer (closing at once reset the connection, and the
    // answer could be lost: EPIPE / socket hang up). Thrown away is not buffered.
    await Promise.all(refused.map((upload) => upload.send(2 * CHUNK.length).catch(() => undefined)));
    const answers = await Promise.all(refused.map((upload) => upload.response));
    for (const answer of answers) {
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('7');
      expect(JSON.parse(answer.body).message).toMatch(/2 uploads already in progress/);
    }
    const afterRefused = rssBytes(pid);

    for (const upload of held) upload.finish();
    const finished = await Promise.all(held.map((upload) => upload.response));
    // Not an image: a clear 4xx, and the slots are free again.
    for (const answer of finished) expect(answer.statusCode).toBe(400);
    const next = startUpload(cloud.port);
    await next.send(CHUNK.length);
    next.finish();
    expect((await next.response).statusCode).toBe(400);

    const metrics = await (await fetch(`http://127.0.0.1:${cloud.port}/metrics`, { headers: TEST_KEY_HEADERS })).text();
    expect(metrics).toMatch(new RegExp(`sentinel_http_uploads_refused_total ${refusedCount}\\b`));
    process.stdout.write(
      `upload cap ${MAX_CONCURRENT}: RSS baseline ${mb(baseline)}, with ${MAX_CONCURRENT} x ${mb(UPLOAD_BYTES)} held ${mb(withHeld)} ` +
        `(+${mb(withHeld - baseline)}), after ${refusedCount} refused ${mb(afterRefused)} (+${mb(afterRefused - withHeld)})\n`,
    );
    // The refused uploads add less than one upload's size (they are never buffered).
    expect(afterRefused - withHeld).toBeLessThan(UPLOAD_BYTES);
  });
});
