import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { request as httpRequest, IncomingMessage, ClientRequest } from 'node:http';
import sharp from 'sharp';
import { FogService } from '../fog.service';
import { LatestFrame } from '../pipeline/fog-pipeline';
import { CameraStreamController, MAX_MJPEG_STREAMS } from './camera-stream.controller';
import { MJPEG_BOUNDARY } from './mjpeg-stream';

/** The fog's latest-frame source, fed by the test: one new frame object per processed frame. */
class FrameSource {
  private frame?: LatestFrame;
  push(seq: number): void {
    this.frame = { cameraId: 'cam', seq, capturedAt: seq, width: 32, height: 24, regions: [], detections: [{ classId: 0, label: 'person', score: 0.9, box: { x: 2, y: 2, width: 8, height: 12 }, source: 0, trackId: 3 }] };
  }
  latest(id: string): LatestFrame | undefined {
    return id === 'cam' ? this.frame : undefined;
  }
}

interface OpenStream {
  request: ClientRequest;
  response: IncomingMessage;
  received: () => Buffer;
}

function openStream(port: number, path: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const request = httpRequest({ host: '127.0.0.1', port, path }, (response) => {
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => undefined);
      resolve({ request, response, received: () => Buffer.concat(chunks) });
    });
    request.on('error', reject);
    request.end();
  });
}

/** The JPEG bodies of the complete parts received so far. */
function jpegParts(body: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const start = body.indexOf(`--${MJPEG_BOUNDARY}\r\n`, at, 'latin1');
    if (start < 0) return parts;
    const headEnd = body.indexOf('\r\n\r\n', start, 'latin1');
    if (headEnd < 0) return parts;
    const length = Number(/Content-Length: (\d+)/.exec(body.subarray(start, headEnd).toString('latin1'))?.[1]);
    if (body.length < headEnd + 4 + length) return parts;
    parts.push(body.subarray(headEnd + 4, headEnd + 4 + length));
    at = headEnd + 4 + length;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('GET /cameras/:id/stream.mjpeg (live annotated view)', () => {
  let app: INestApplication;
  let port: number;
  const source = new FrameSource();

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [CameraStreamController], providers: [{ provide: FogService, useValue: source }] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('pushes one annotated JPEG part per new frame, none while no new frame was processed', async () => {
    const stream = await openStream(port, '/cameras/cam/stream.mjpeg?fps=10');
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe(`multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(jpegParts(stream.received())).toHaveLength(0); // no frame yet: the stream waits

    source.push(1);
    await until(() => jpegParts(stream.received()).length === 1, 'the first part');
    await new Promise((resolve) => setTimeout(resolve, 300)); // several looks at the same frame
    expect(jpegParts(stream.received())).toHaveLength(1);
    source.push(2);
    await until(() => jpegParts(stream.received()).length === 2, 'the second part');

    const meta = await sharp(jpegParts(stream.received())[1]).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 32, 24]);
    stream.request.destroy();
  });

  it(`answers 503 past ${MAX_MJPEG_STREAMS} open streams, and a closed stream frees its slot`, async () => {
    const controller = app.get(CameraStreamController);
    await until(() => controller.activeStreams === 0, 'earlier streams to close');
    const streams = await Promise.all(Array.from({ length: MAX_MJPEG_STREAMS }, () => openStream(port, '/cameras/cam/stream.mjpeg')));
    expect(streams.map((s) => s.response.statusCode)).toEqual(streams.map(() => 200));
    const refused = await fetch(`http://127.0.0.1:${port}/cameras/cam/stream.mjpeg`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { message: string }).message).toMatch(/at most 8 live streams/);

    streams[0].request.destroy();
    await until(() => controller.activeStreams === MAX_MJPEG_STREAMS - 1, 'the closed stream to free its slot');
    const again = await openStream(port, '/cameras/cam/stream.mjpeg');
    expect(again.response.statusCode).toBe(200);
    for (const s of [...streams.slice(1), again]) s.request.destroy();
    await until(() => controller.activeStreams === 0, 'every stream to close');
  });

  it('400 for a malformed camera id or fps', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/cameras/bad%20id/stream.mjpeg`)).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${port}/cameras/cam/stream.mjpeg?fps=500`)).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${port}/cameras/cam/stream.mjpeg?colour=red`)).status).toBe(400);
  });

  it('ends open streams when the app closes', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [CameraStreamController], providers: [{ provide: FogService, useValue: source }] }).compile();
    const other = moduleRef.createNestApplication({ logger: false });
    await other.listen(0, '127.0.0.1');
    const stream = await openStream((other.getHttpServer().address() as { port: number }).port, '/cameras/cam/stream.mjpeg');
    await until(() => jpegParts(stream.received()).length === 1, 'the first part');
    const ended = new Promise((resolve) => stream.response.on('end', resolve));
    await other.close();
    await ended;
    expect(stream.response.complete).toBe(true);
  });
});
