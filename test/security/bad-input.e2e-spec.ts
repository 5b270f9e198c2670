import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import sharp from 'sharp';
import { SentinelApp, createSentinelApp } from '@sentinel/app';
import { loadConfig } from '@sentinel/config';
import { CAMERA_ID_PATTERN, LinkName, LinkNames, LinkPatterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { FRAME_HEADER_BYTES } from '@sentinel/transport';
import { tcpFrame } from '../support/messages';
import { TEST_KEY_HEADERS, TEST_KEY_SETS } from '../support/api-key';
import { freePort, waitFor } from '../support/processes';
import { tempDir } from './support';

const HOSTILE_NAMES = ['__proto__', 'constructor', 'prototype'];
const HOSTILE_IDS = [...HOSTILE_NAMES, '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(5000), '%00', '-1', '1e999'];
const PUBLIC = (path: string) => path.startsWith('/health') || path === '/auth/session';

type Operation = { path: string; method: string; multipart: boolean };
/** `stream`: a live view (MJPEG) that waits for its camera's first frame; its body is never read. */
type Answer = { status: number; body: string; stream?: boolean };
type Body = string | Buffer;

/** Every operation of the running app's OpenAPI document: new routes are swept without editing this test. */
async function operations(base: string): Promise<Operation[]> {
  const document = (await (await fetch(`${base}/docs-json`)).json()) as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>> };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), multipart: Boolean(op.requestBody?.content?.['multipart/form-data']) })),
  );
}

/** A request that cannot hang the sweep: a live stream is answered by its headers, anything else within 60 s. */
async function call(base: string, method: string, path: string, init: { headers?: Record<string, string>; body?: Body } = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { method, headers: { ...TEST_KEY_HEADERS, ...init.headers }, body: init.body, signal: AbortSignal.timeout(60_000) });
  if (response.headers.get('content-type')?.startsWith('multipart/x-mixed-replace')) {
    await response.body?.cancel();
    return { status: response.status, body: '', stream: true };
  }
  return { status: response.status, body: await response.text() };
}

function multipart(field: string, file: Buffer, name = 'x.jpg'): { headers: Record<string, string>; body: Buffer } {
  const boundary = 'sweep-boundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body };
}

const json = (value: string) => ({ headers: { 'content-type': 'application/json' }, body: value });

/** Bodies every writing route gets: wrong types, missing fields, prototype keys, garbage, oversized. */
function jsonBodies(): Array<[string, { headers: Record<string, string>; body: Body }]> {
  return [
    ['empty object', json('{}')],
    ['wrong types', json('{"name":42,"notes":[1],"key":{"a":1},"images":7}')],
    ['__proto__ key', json('{"__proto__":{"polluted":"yes"},"name":"p"}')],
    ['constructor.prototype key', json('{"constructor":{"prototype":{"polluted":"yes"}},"name":"c"}')],
    ['truncated JSON', json('{"name":"abc')],
    ['random bytes as JSON', { headers: { 'content-type': 'application/json' }, body: randomBytes(512) }],
    ['array', json('[1,2,3]')],
    ['oversized JSON', json(JSON.stringify({ name: 'y'.repeat(2 * 1024 * 1024) }))],
  ];
}

function sendRaw(port: number, bytes: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      for (const chunk of bytes) socket.write(chunk);
      // The server keeps its side open: give it a moment to read, then close ours.
      setTimeout(() => socket.destroy(), 300);
    });
    socket.on('close', () => resolve());
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve() : reject(error)));
  });
}

/** Wrong-shaped messages of one pattern: each must be a counted drop (malformed), never a crash. */
function badMessages(pattern: string): unknown[] {
  const base = { v: SCHEMA_VERSION, cameraId: 'sweep', seq: 1, capturedAt: 1 };
  return [
    { pattern, id: 'b1', data: {} },
    { pattern, id: 'b2', data: { ...base, cameraId: 42, seq: 'one' } },
    { pattern, id: 'b3', data: null },
    { pattern, id: 'b4', data: [1, 2, 3] },
    { pattern, id: 'b5', data: { ...base, __proto__: { polluted: 'yes' } } },
    { pattern, id: 'b6', data: { ...base, cameraId: '__proto__', constructor: { prototype: { polluted: 'yes' } } } },
    { pattern, id: 'b7', data: 'x'.repeat(1000) },
    { pattern, id: 'b8', data: { ...base, v: 999 } },
  ];
}

/**
 * The bad-input sweep: every HTTP route (from the OpenAPI document) and every link pattern of a real
 * all-tier app (real modules, TCP links) gets hostile input; each answer is a 4xx or a counted drop,
 * the app keeps serving valid requests, and Object.prototype stays untouched.
 */
describe('bad-input sweep over every route and link pattern', () => {
  // Hundreds of sequential requests (seconds on a quiet machine, more on a busy one).
  jest.setTimeout(180_000);
  const data = tempDir('bad-input-');
  const linkPorts = {} as Record<LinkName, number>;
  let sentinel: SentinelApp;
  let base: string;

  beforeAll(async () => {
    const sets = ['http.port=0', 'http.host=127.0.0.1', `dataDir=${data.dir}`, 'roof.demo.enabled=false', ...TEST_KEY_SETS];
    for (const link of LinkNames) {
      linkPorts[link] = await freePort();
      sets.push(`links.${link}.transport=tcp`, `links.${link}.host=127.0.0.1`, `links.${link}.port=${linkPorts[link]}`);
    }
    sentinel = await createSentinelApp(loadConfig({ sets }), { logger: ['error'] });
    base = `http://127.0.0.1:${sentinel.port}`;
  });

  afterAll(async () => {
    await sentinel?.close();
    data.remove();
  });

  const expectPrototypeClean = () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(Object.getOwnPropertyNames(Object.getPrototypeOf({})).sort());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  };

  it('answers every HTTP route with a clear 4xx for hostile ids, bodies and uploads, then serves valid requests', async () => {
    const ops = await operations(base);
    expect(ops.length).toBeGreaterThan(15);
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const failures: string[] = [];
    const expect4xx = (what: string, answer: Answer, id?: string) => {
      // A well-formed camera id (e.g. `-1`) may name a camera that has not sent a frame yet: its live view waits for it.
      if (answer.stream && answer.status === 200 && id !== undefined && CAMERA_ID_PATTERN.test(id)) return;
      if (answer.status < 400 || answer.status >= 500) failures.push(`${what}: ${answer.status} ${answer.body.slice(0, 160)}`);
      else if (!/"message"/.test(answer.body) && answer.status !== 404 && answer.status !== 413) failures.push(`${what}: ${answer.status} without a message`);
    };
    let requests = 0;
    for (const op of ops) {
      const hasParams = op.path.includes('{');
      if (!PUBLIC(op.path)) {
        const anonymous = await fetch(`${base}${op.path.replace(/\{[^}]+\}/g, 'x')}`, { method: op.method });
        if (anonymous.status !== 401) failures.push(`${op.method} ${op.path} without a key: ${anonymous.status}`);
      }
      for (const id of hasParams ? HOSTILE_IDS : []) {
        const path = op.path.replace(/\{[^}]+\}/g, encodeURIComponent(id).replace(/%25/g, '%'));
        expect4xx(`${op.method} ${op.path} id=${id.slice(0, 20)}`, await call(base, op.method, path, op.method === 'GET' || op.method === 'DELETE' ? {} : json('{}')), id);
        requests += 1;
      }
      const path = op.path.replace(/\{[^}]+\}/g, 'no-such-id');
      if (op.method === 'GET' && !hasParams) {
        for (const query of ['?limit=abc', '?limit=-5', '?limit=1e9', '?__proto__[polluted]=yes', '?constructor[prototype][polluted]=yes', `?cameraId=${'z'.repeat(5000)}`]) {
          const answer = await call(base, 'GET', `${path}${query}`);
          if (answer.status >= 500) failures.push(`GET ${op.path}${query.slice(0, 40)}: ${answer.status}`);
          requests += 1;
        }
      }
      if (op.method === 'POST' || op.method === 'PATCH' || op.method === 'PUT') {
        for (const [what, init] of jsonBodies()) {
          expect4xx(`${op.method} ${op.path} ${what}`, await call(base, op.method, path, init));
          requests += 1;
        }
        if (op.multipart) {
          // A real person, so that enrollment reaches the upload checks instead of 404.
          const person = op.path.startsWith('/people/') ? (JSON.parse((await call(base, 'POST', '/people', json('{"name":"sweep"}'))).body) as { id: string }).id : undefined;
          const target = person ? op.path.replace(/\{[^}]+\}/g, person) : path;
          const field = op.path.startsWith('/recognize') ? 'image' : 'images';
          const uploads: Array<[string, { headers: Record<string, string>; body: Body }]> = [
            ['truncated JPEG', multipart(field, jpeg.subarray(0, jpeg.length >> 1))],
            ['random bytes', multipart(field, randomBytes(4096))],
            ['empty file', multipart(field, Buffer.alloc(0))],
            ['wrong field', multipart('nope', jpeg)],
            ['__proto__ field', multipart('__proto__', jpeg)],
            ['oversized file', multipart(field, Buffer.concat([jpeg, Buffer.alloc(11 * 1024 * 1024)]))],
            ['truncated multipart', { headers: { 'content-type': 'multipart/form-data; boundary=sweep-boundary' }, body: '--sweep-boundary\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\nabc' }],
          ];
          for (const [what, init] of uploads) {
            expect4xx(`${op.method} ${op.path} ${what}`, await call(base, op.method, target, init));
            requests += 1;
          }
        }
      }
      expectPrototypeClean();
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(100);

    // Still serving valid requests.
    const created = await call(base, 'POST', '/people', json('{"name":"after the sweep"}'));
    expect(created.status).toBe(201);
    expect((await call(base, 'GET', `/people/${JSON.parse(created.body).id}`)).status).toBe(200);
    expect((await call(base, 'GET', '/stats')).status).toBe(200);
    expectPrototypeClean();
  });

  it('counts every hostile link message as a drop and keeps handling valid ones', async () => {
    const before = sentinel.ledger.snapshot();
    const malformedOf = (snapshot: ReturnType<SentinelApp['ledger']['snapshot']>, link: LinkName) =>
      Object.values(snapshot[link]?.malformed ?? {}).reduce((sum, n) => sum + n, 0);
    const otherOf = (link: LinkName) => sentinel.ledger.snapshot()[link]?.byPattern.other?.['-']?.received.messages ?? 0;
    const otherBefore = Object.fromEntries(LinkNames.map((link) => [link, otherOf(link)]));
    const sent: Record<string, number> = {};
    for (const link of LinkNames) {
      const frames: Buffer[] = [];
      // Messages of the link's own patterns with a bad shape: each a counted malformed drop.
      for (const pattern of LinkPatterns[link]) frames.push(...badMessages(pattern).map(tcpFrame));
      frames.push(tcpFrame([1, 2]), tcpFrame('string'));
      sent[link] = frames.length;
      // Inherited names as patterns: no handler, counted under pattern="other".
      for (const pattern of HOSTILE_NAMES) frames.push(...badMessages(pattern).map(tcpFrame));
      const garbage = randomBytes(2048);
      garbage.writeUInt32BE(100, 0); // a frame of random bytes, then the rest as the next frames' garbage
      await sendRaw(linkPorts[link], frames);
      await sendRaw(linkPorts[link], [garbage]);
      // An absurd length prefix ends that connection only.
      const absurd = Buffer.alloc(FRAME_HEADER_BYTES);
      absurd.writeUInt32BE(0xffffffff, 0);
      await sendRaw(linkPorts[link], [absurd]);
    }
    for (const link of LinkNames) {
      const counted = await waitFor(() => {
        const n = malformedOf(sentinel.ledger.snapshot(), link) - malformedOf(before, link);
        return n >= sent[link] ? n : undefined;
      }, 10_000, `${link}: ${sent[link]} malformed messages counted`);
      expect(counted).toBeGreaterThanOrEqual(sent[link]);
      expect(otherOf(link) - otherBefore[link]).toBeGreaterThanOrEqual(HOSTILE_NAMES.length * badMessages('x').length);
      expect(sentinel.ledger.snapshot()[link].incidents?.['oversized-received']).toBeGreaterThanOrEqual(1);
    }
    expectPrototypeClean();
    const metrics = await call(base, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).not.toMatch(/pattern="(__proto__|constructor|prototype)"|camera="(__proto__|constructor|prototype)"/);

    // A valid frame after all that is still received and handled by the fog.
    const frame = { v: SCHEMA_VERSION, cameraId: 'sweep-ok', seq: 1, capturedAt: Date.now(), width: 64, height: 64, kind: 'frame', changeScore: 0.5, jpeg: await sharp({ create: { width: 64, height: 64, channels: 3, background: '#404040' } }).jpeg().toBuffer() };
    await sendRaw(linkPorts.roofToFog, [tcpFrame({ pattern: 'frame.changed', id: 'ok-1', data: frame })]);
    await waitFor(() => (sentinel.ledger.snapshot().roofToFog.byPattern['frame.changed']?.['sweep-ok']?.received.messages ? true : undefined), 10_000, 'the valid frame');
    expect((await call(base, 'GET', '/stats')).status).toBe(200);
  });
});
