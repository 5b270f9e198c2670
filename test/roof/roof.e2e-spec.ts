import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FrameMessage, Patterns } from '@sentinel/contracts';
import { corruptCopy, cutFrames, makeLavfiClip } from '@sentinel/evaluation';
import { HealthRegistry, MetricsService, StageTimer } from '@sentinel/telemetry';
import { RtspTestServer, describeWithSharedData, sharedPath, startRtspServer } from '@sentinel/testing';
import { EmitOptions, EmitOutcome } from '@sentinel/transport';
import { RecordingLinks, RunningRoof, processAlive, startRoof, waitFor } from './roof-harness';

/** A link that holds every emit until opened (a slow consumer). */
class GatedLinks extends RecordingLinks {
  readonly waiting: (() => void)[] = [];
  private opened = false;

  override async emit(pattern: string, message: object, options?: EmitOptions): Promise<EmitOutcome> {
    if (!this.opened) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return super.emit(pattern, message, options);
  }

  open(): void {
    this.opened = true;
    for (const release of this.waiting.splice(0)) release();
  }
}

const fastReconnect = { initialDelayMs: 50, maxDelayMs: 400, factor: 2, stallTimeoutMs: 1_000 };

jest.setTimeout(60_000);

let dir: string;
let running: RunningRoof | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roof-e2e-'));
  await makeLavfiClip(join(dir, 'moving.ts'), 'testsrc2=s=320x240:r=25', 75);
});

afterEach(async () => {
  await running?.close();
  running = undefined;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  expect(await ffmpegChildren()).toEqual([]);
});

/** ffmpeg processes whose parent is this test process (none may outlive the roof). */
async function ffmpegChildren(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match && match[1] === 'ffmpeg' && Number(match[2]) === process.pid) pids.push(Number(entry));
  }
  return pids;
}

/** Every regions message updates the message sent just before it (the fog pastes it into that frame). */
function expectChained(frames: readonly FrameMessage[]): void {
  for (const [i, message] of frames.entries()) {
    if (message.kind === 'regions') expect({ seq: message.seq, baseSeq: message.baseSeq }).toEqual({ seq: message.seq, baseSeq: frames[i - 1]?.seq });
    else expect(message.baseSeq).toBeUndefined();
  }
}

describe('roof on synthetic sources', () => {
  it('reads a file as fast as possible, forwards every changed frame in order with valid messages, counts and times it', async () => {
    running = await startRoof({ cameras: [{ id: 'moving', source: join(dir, 'moving.ts'), pace: false }] });
    await running.roof.whenFilesDone();
    const stats = running.roof.stats().moving;
    expect(stats).toMatchObject({ state: 'ended', width: 320, height: 240, fps: 25, framesDecoded: 75, droppedCorrupt: 0, droppedByLink: 0 });
    expect(stats.framesChanged).toBeGreaterThan(70);
    expect(stats.framesForwarded).toBe(stats.framesChanged);
    const { frames, invalid, whenFull } = running.links;
    expect(invalid).toEqual([]);
    expect(new Set(whenFull)).toEqual(new Set(['wait']));
    expect(frames.map((f) => f.seq)).toEqual([...frames.map((f) => f.seq)].sort((a, b) => a - b));
    expect(frames[0]).toMatchObject({ seq: 0, kind: 'frame', cameraId: 'moving', width: 320, height: 240 });
    expect(frames[0].jpeg!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(Math.abs(frames[0].capturedAt - Date.now())).toBeLessThan(60_000);
    expect(stats.bytesForwarded).toBe(frames.reduce((sum, f) => sum + f.jpeg!.length, 0));
    const latency = running.module.get(StageTimer).samples.summary();
    expect(latency.decode.count).toBe(75);
    expect(latency['change-detection'].count).toBe(75);
    expect(latency.encode.count).toBe(stats.framesForwarded);
    const metrics = await running.module.get(MetricsService).text();
    expect(metrics).toContain('sentinel_roof_frames_decoded_total{camera="moving"} 75');
    expect(metrics).toContain('sentinel_roof_camera_state{camera="moving",state="ended"} 1');
  });

  it('in regions mode sends JPEG crops with their offsets inside the frame', async () => {
    running = await startRoof({ policy: 'regions', detection: { fullFrameAbove: 1 }, cameras: [{ id: 'regions', source: join(dir, 'moving.ts'), pace: false }] });
    await running.roof.whenFilesDone();
    const regionMessages = running.links.frames.filter((f) => f.kind === 'regions');
    expect(running.links.invalid).toEqual([]);
    expect(running.links.frames[0].kind).toBe('frame');
    expect(regionMessages.length).toBeGreaterThan(50);
    for (const message of regionMessages) {
      const atlas = await sharp(message.jpeg).metadata();
      expect(message.jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      for (const region of message.regions!) {
        expect(region.x + region.width).toBeLessThanOrEqual(320);
        expect(region.y + region.height).toBeLessThanOrEqual(240);
        expect(region.atlasX + region.width).toBeLessThanOrEqual(atlas.width!);
        expect(region.atlasY + region.height).toBeLessThanOrEqual(atlas.height!);
      }
    }
    expectChained(running.links.frames);
    // A file has a timeline of its own: 25 fps, so frame n is at n * 40 ms.
    for (const message of running.links.frames) expect(message.streamTimeMs).toBe(message.seq * 40);
  });

  it('in regions mode sends the next frame whole when the fog asks to resync (its copy of the frame is out of step)', async () => {
    class ResyncOnce extends RecordingLinks {
      override async emit(pattern: string, message: object, options?: EmitOptions): Promise<EmitOutcome> {
        const outcome = await super.emit(pattern, message, options);
        options?.onReply?.({ seq: (message as FrameMessage).seq, ...((message as FrameMessage).seq === 30 ? { resync: true } : {}) });
        return outcome;
      }
    }
    running = await startRoof(
      { policy: 'regions', maxInFlight: 2, detection: { fullFrameAbove: 1 }, cameras: [{ id: 'resync', source: join(dir, 'moving.ts'), pace: false }] },
      new ResyncOnce(),
    );
    await running.roof.whenFilesDone();
    const whole = running.links.frames.filter((f) => f.kind === 'frame').map((f) => f.seq);
    expect(whole[0]).toBe(0);
    const resent = whole.filter((seq) => seq > 30);
    expect(resent).toHaveLength(1);
    expect(resent[0]).toBeLessThanOrEqual(30 + 4);
    expectChained(running.links.frames);
  });

  it('in regions mode sends a whole frame again when the whole frame that started the chain was lost', async () => {
    class LoseFirst extends RecordingLinks {
      private lostOne = false;
      override async emit(pattern: string, message: object, options?: EmitOptions): Promise<EmitOutcome> {
        if (pattern === Patterns.FrameChanged && !this.lostOne) {
          this.lostOne = true;
          return 'failed';
        }
        return super.emit(pattern, message, options);
      }
    }
    running = await startRoof(
      { policy: 'regions', maxInFlight: 1, detection: { fullFrameAbove: 1 }, cameras: [{ id: 'lose-first', source: join(dir, 'moving.ts'), pace: false }] },
      new LoseFirst(),
    );
    await running.roof.whenFilesDone();
    const [first] = running.links.frames;
    expect(first.kind).toBe('frame');
    expect(first.seq).toBeGreaterThan(0);
    expect(running.roof.stats()['lose-first'].failedByLink).toBe(1);
    expectChained(running.links.frames);
  });

  it('counts the raw JPEG bytes of every decoded frame when measureRawJpeg is on', async () => {
    running = await startRoof({ measureRawJpeg: true, cameras: [{ id: 'raw', source: join(dir, 'moving.ts'), pace: false }] });
    await running.roof.whenFilesDone();
    const stats = running.roof.stats().raw;
    expect(stats.rawJpegFrames).toBe(75);
    expect(stats.rawJpegBytes).toBeGreaterThanOrEqual(stats.bytesForwarded);
  });

  it('applies the output rate and size (fps 5, width 160)', async () => {
    running = await startRoof({ cameras: [{ id: 'small', source: join(dir, 'moving.ts'), pace: false, fps: 5, width: 160 }] });
    await running.roof.whenFilesDone();
    expect(running.roof.stats().small).toMatchObject({ width: 160, height: 120, fps: 5, framesDecoded: 15 });
    expect(running.links.frames[0]).toMatchObject({ width: 160, height: 120 });
  });

  it('waits for a slow link without losing frames: at most maxInFlight frames pending, the pipe paused meanwhile', async () => {
    const gated = new GatedLinks();
    running = await startRoof({ maxInFlight: 4, cameras: [{ id: 'gated', source: join(dir, 'moving.ts'), pace: false }] }, gated);
    const camera = running.roof.camera('gated')!;
    await waitFor(() => gated.waiting.length === 4, 'four emits waiting for the link');
    expect(camera.snapshot().framesDecoded).toBe(4);
    gated.open();
    await running.roof.whenFilesDone();
    expect(camera.snapshot()).toMatchObject({ framesDecoded: 75, droppedByLink: 0 });
    const seqs = gated.frames.map((f) => f.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.length).toBe(camera.snapshot().framesChanged);
  });

  it('sends a heartbeat frame when nothing changed for heartbeatSeconds of video', async () => {
    running = await startRoof({ policy: 'regions', heartbeatSeconds: 1, cameras: [{ id: 'still', source: 'lavfi:color=c=0x808080:s=160x120:r=25:d=4', pace: false }] });
    await running.roof.whenFilesDone();
    const sent = running.links.frames.map((f) => ({ seq: f.seq, kind: f.kind, heartbeat: f.heartbeat ?? false }));
    expect(sent).toEqual([
      { seq: 0, kind: 'frame', heartbeat: false },
      { seq: 25, kind: 'frame', heartbeat: true },
      { seq: 50, kind: 'frame', heartbeat: true },
      { seq: 75, kind: 'frame', heartbeat: true },
    ]);
    expect(running.roof.stats().still).toMatchObject({ framesDecoded: 100, framesChanged: 1, heartbeatsForwarded: 3 });
  });

  it('fails a missing file and a bad URL with messages naming them while another camera keeps running', async () => {
    running = await startRoof({
      reconnect: fastReconnect,
      cameras: [
        { id: 'missing', source: join(dir, 'nope.avi'), pace: false },
        { id: 'badurl', source: 'nosuchproto://camera.local/stream' },
        { id: 'good', source: join(dir, 'moving.ts'), pace: false },
      ],
    });
    await running.roof.whenFilesDone();
    await waitFor(() => running!.roof.stats().badurl.state === 'failed', 'the bad URL to fail');
    const stats = running.roof.stats();
    expect(stats.missing.state).toBe('failed');
    expect(stats.missing.lastError).toMatch(/camera missing .*nope\.avi.* failed: cannot read file .*ENOENT/);
    expect(stats.badurl.state).toBe('failed');
    expect(stats.badurl.lastError).toMatch(/camera badurl \(nosuchproto:\/\/camera\.local\/stream\) failed: .*(No such file|Protocol not found)/);
    expect(stats.good).toMatchObject({ state: 'ended', framesDecoded: 75 });
    const down = running.links.alerts.filter((a) => a.kind === 'camera-down').map((a) => a.cameraId).sort();
    expect(down).toEqual(['badurl', 'missing']);
    expect(running.links.alerts[0].id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('fails its cameras with a clear message when the ffmpeg binary does not exist', async () => {
    running = await startRoof({ ffmpegPath: join(dir, 'no-ffmpeg'), reconnect: fastReconnect, cameras: [{ id: 'nobin', source: join(dir, 'moving.ts'), pace: false }] });
    await running.roof.whenFilesDone();
    const stats = running.roof.stats().nobin;
    expect(stats.state).toBe('failed');
    expect(stats.lastError).toMatch(/camera nobin .* failed: cannot run ffmpeg at .*no-ffmpeg: ENOENT \(set roof.ffmpegPath or FFMPEG_PATH\)/);
  });

  it('restarts a crashed ffmpeg, keeps counting frames and announces camera-down then camera-up', async () => {
    running = await startRoof({
      reconnect: fastReconnect,
      cameras: [{ id: 'crashy', source: 'lavfi:testsrc2=s=160x120:r=25', pace: true }],
    });
    const camera = running.roof.camera('crashy')!;
    await waitFor(() => camera.snapshot().framesDecoded >= 5, 'first frames');
    const firstPid = camera.ffmpegPid!;
    process.kill(firstPid, 'SIGKILL');
    await waitFor(() => camera.snapshot().restarts >= 1, 'restart');
    const before = camera.snapshot().framesDecoded;
    await waitFor(() => camera.snapshot().framesDecoded >= before + 5 && camera.state === 'running', 'frames after the restart');
    expect(camera.ffmpegPid).not.toBe(firstPid);
    expect(processAlive(firstPid)).toBe(false);
    await waitFor(() => running!.links.alerts.some((a) => a.kind === 'camera-up'), 'camera-up alert');
    expect(running.links.alerts.map((a) => a.kind)).toEqual(['camera-down', 'camera-up']);
    expect(new Set(running.links.whenFull)).toEqual(new Set(['drop'])); // a paced source drops rather than waits
    const seqs = running.links.frames.map((f: FrameMessage) => f.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    const lastPid = camera.ffmpegPid!;
    expect(await ffmpegChildren()).toContain(lastPid);
    await running.close();
    running = undefined;
    expect(processAlive(lastPid)).toBe(false);
    expect(camera.state).toBe('stopped');
  });

  it('runs the lavfi demo camera when no camera is configured: motion forwarded, still periods skipped, health up', async () => {
    running = await startRoof({ demo: { fps: 25, cycleSeconds: 6 } });
    const camera = running.roof.camera('demo')!;
    // 6 s cycle at 25 fps: frames 0-49 move, 50-99 stand still, 100-149 move again.
    await waitFor(() => camera.snapshot().framesDecoded >= 125, 'the demo to pass its still period', 30_000);
    const forwarded = new Set(running.links.frames.map((f) => f.seq));
    const still = Array.from({ length: 48 }, (_, i) => 51 + i).filter((seq) => forwarded.has(seq));
    const moving = Array.from({ length: 20 }, (_, i) => 102 + i).filter((seq) => forwarded.has(seq));
    expect(still).toEqual([]);
    expect(moving.length).toBe(20);
    expect(camera.snapshot()).toMatchObject({ kind: 'lavfi', state: 'running', width: 640, height: 360 });
    const health = await running.module.get(HealthRegistry).check('roof.camera.demo');
    expect(health).toMatchObject({ status: 'up', state: 'running' });
  });

  describe('a live source that is slow to send its first frame', () => {
    let server: Server;
    let delayMs = 0;
    let clip: Buffer;

    beforeAll(async () => {
      clip = await readFile(join(dir, 'moving.ts'));
      // Answers after delayMs (a slow camera), or never when delayMs < 0 (a dead one that accepts connections).
      server = createServer((_request, response) => {
        if (delayMs < 0) return;
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'video/mp2t' });
          response.end(clip);
        }, delayMs);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow.ts`;

    it('is connecting, not stalled, until its first frame: a stall timeout shorter than the connect time does not restart it', async () => {
      delayMs = 1_200;
      running = await startRoof({ reconnect: { ...fastReconnect, stallTimeoutMs: 300, connectTimeoutMs: 5_000 }, cameras: [{ id: 'slow', source: url() }] });
      const camera = running.roof.camera('slow')!;
      await waitFor(() => camera.snapshot().framesDecoded >= 10, 'frames after a slow start');
      expect(camera.snapshot().restarts).toBe(0);
    });

    it('a source that never sends a frame is retried after connectTimeoutMs, with a message saying so', async () => {
      delayMs = -1;
      running = await startRoof({ reconnect: { ...fastReconnect, connectTimeoutMs: 600 }, cameras: [{ id: 'dead', source: url() }] });
      const camera = running.roof.camera('dead')!;
      await waitFor(() => camera.snapshot().restarts >= 1, 'a retry after the connect timeout');
      expect(camera.snapshot().framesDecoded).toBe(0);
      expect(running.links.alerts[0]?.message).toMatch(/no first frame within 600 ms of starting ffmpeg/);
    });
  });

  describe('a live HTTP stream', () => {
    let server: Server;
    let requests = 0;
    let clip: Buffer;

    beforeAll(async () => {
      clip = await readFile(join(dir, 'moving.ts'));
      // 1st request: half the clip then silence (a stall); 2nd: half then a closed socket (a drop); then the whole clip.
      server = createServer((request, response) => {
        requests++;
        response.writeHead(200, { 'content-type': 'video/mp2t' });
        if (requests === 1) response.write(clip.subarray(0, clip.length >> 1));
        else if (requests === 2) response.write(clip.subarray(0, clip.length >> 1), () => response.destroy());
        else response.end(clip);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('reconnects with backoff after a stall and a drop, and drops rather than waits when the link is full', async () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/live.ts`;
      // Half a clip may not even finish ffmpeg's probe: that run is still connecting, so both limits are short.
      running = await startRoof({ reconnect: { ...fastReconnect, stallTimeoutMs: 800, connectTimeoutMs: 800 }, cameras: [{ id: 'live', source: url }] });
      const camera = running.roof.camera('live')!;
      await waitFor(() => requests >= 3 && camera.snapshot().framesDecoded > 40 && camera.state === 'running', 'frames after two reconnects');
      const stats = camera.snapshot();
      expect(stats.restarts).toBeGreaterThanOrEqual(2);
      expect(stats.kind).toBe('stream');
      const kinds = running.links.alerts.map((a) => a.kind);
      expect(kinds.slice(0, 2)).toEqual(['camera-down', 'camera-up']);
      expect(running.links.alerts[0].message).toMatch(/no frame for 800 ms|no first frame within 800 ms/);
      expect(new Set(running.links.whenFull)).toContain('drop');
    });
  });

  describe('an RTSP stream', () => {
    let rtsp: RtspTestServer;

    beforeAll(async () => {
      rtsp = await startRtspServer();
    });

    afterAll(async () => {
      await rtsp.close();
    });

    it('reads RTP interleaved on the RTSP connection and reconnects when the server drops the session', async () => {
      // ffmpeg probes ~20 frames (0.8 s at 25 fps) to learn the rate before its first frame: that is
      // connecting (connectTimeoutMs, 30 s), not a stall, so a 1 s stall timeout is safe here.
      running = await startRoof({ reconnect: fastReconnect, cameras: [{ id: 'rtsp', source: rtsp.url }] });
      const camera = running.roof.camera('rtsp')!;
      await waitFor(() => camera.snapshot().framesDecoded >= 10 && camera.state === 'running', 'first frames over RTSP');
      expect(camera.snapshot()).toMatchObject({ kind: 'stream', state: 'running', width: 320, height: 240, fps: 25, restarts: 0 });
      expect(rtsp.counts).toEqual({ sessions: 1, plays: 1 });

      rtsp.dropSessions();
      await waitFor(() => camera.snapshot().restarts >= 1, 'a reconnect after the drop');
      const before = camera.snapshot().framesDecoded;
      await waitFor(() => camera.snapshot().framesDecoded >= before + 10 && camera.state === 'running', 'frames after the reconnect');
      expect(rtsp.counts.plays).toBeGreaterThanOrEqual(2);
      await waitFor(() => running!.links.alerts.some((a) => a.kind === 'camera-up'), 'camera-up alert');
      expect(running.links.alerts.map((a) => a.kind)).toEqual(['camera-down', 'camera-up']);
      expect(running.links.alerts[0].message).toMatch(/the stream ended/); // the drop itself, not a stall
      expect(running.links.invalid).toEqual([]);
      const seqs = running.links.frames.map((f) => f.seq);
      expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    });
  });
});

describeWithSharedData('roof on vtest.avi', () => {
  it('skips and counts corrupt frames and carries on to the end of the file', async () => {
    const cut = join(dir, 'vtest60.avi');
    const bad = join(dir, 'vtest60-bad.avi');
    await cutFrames(sharedPath('data', 'vtest.avi'), cut, 60);
    await corruptCopy(cut, bad, { atFraction: 0.3, spots: 30 });
    running = await startRoof({ cameras: [{ id: 'bad', source: bad, pace: false }] });
    await running.roof.whenFilesDone();
    const stats = running.roof.stats().bad;
    expect(stats.state).toBe('ended');
    expect(stats.droppedCorrupt).toBeGreaterThan(0);
    expect(stats.framesDecoded).toBeGreaterThan(40);
    expect(stats.framesDecoded).toBeLessThan(60);
    expect(running.links.frames.at(-1)!.seq).toBe(stats.framesDecoded - 1);
  });
});
