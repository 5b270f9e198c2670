import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { FrameMessage, Patterns, validateContract } from '@sentinel/contracts';
import type { CameraStats } from '@sentinel/frame-change';
import { makeMotionStillClip } from '@sentinel/evaluation';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { EmitOptions, EmitOutcome, LinkEmitter } from '@sentinel/transport';
import { FogService, FrameAck, FrameChangedController } from '@sentinel/detection';
import { bootFog } from '../fog/support';
import { startRoof } from './roof-harness';

/** What the link does with one frame message on its way to the fog. */
type Tamper = (message: FrameMessage) => FrameMessage | 'drop';

/** The roof->fog link in this process: each frame message (checked against its contract) goes to the fog's controller, its ack back to the roof. */
class FogLink extends LinkEmitter {
  readonly frames: FrameMessage[] = [];
  readonly acks: FrameAck[] = [];
  readonly invalid: string[] = [];

  constructor(
    private readonly controller: FrameChangedController,
    private readonly tamper: Tamper = (message) => message,
  ) {
    super();
  }

  async emit(pattern: string, message: object, options?: EmitOptions): Promise<EmitOutcome> {
    if (pattern !== Patterns.FrameChanged) return 'delivered';
    const checked = validateContract(pattern, message);
    if (!checked.ok) {
      this.invalid.push(checked.errors.join('; '));
      return 'failed';
    }
    this.frames.push(message as FrameMessage);
    const sent = this.tamper(message as FrameMessage);
    if (sent === 'drop') return 'dropped';
    try {
      const ack = await this.controller.onFrameChanged(sent);
      this.acks.push(ack);
      options?.onReply?.(ack);
      return 'delivered';
    } catch {
      return 'failed';
    }
  }
}

/** 2 cycles of 16 frames of vtest.avi (people walking) then 4 frozen frames: 40 frames, 10 fps. */
const PLAN = { motionFrames: 16, stillFrames: 4, cycles: 2 };
const FRAMES = (PLAN.motionFrames + PLAN.stillFrames) * PLAN.cycles;
/** Frame messages a roof may have in flight when it learns of a loss (roof.maxInFlight default). */
const MAX_IN_FLIGHT = 8;
/** Keyframe interval of the lossy runs: 3 s = 30 frames, so a keyframe before frame 30 can only be the resync's. */
const KEYFRAME_INTERVAL_S = 3;
const KEYFRAME_INTERVAL_FRAMES = KEYFRAME_INTERVAL_S * 10;
jest.setTimeout(120_000);

describeWithSharedData('roof policy video -> fog H.264 decoder, one process (real ffmpeg, YOLOX-Nano)', () => {
  let dir: string;
  let clip: string;
  let app: INestApplication;
  let fog: FogService;
  let controller: FrameChangedController;
  let jpegRun: Run;

  interface Run {
    link: FogLink;
    roof: CameraStats;
    /** The fog's counters for this camera's run only. */
    fogFrames: number;
    persons: number;
    drops: Record<string, number>;
    video: ReturnType<FogService['videoFigures']>;
  }

  /** Runs the clip through a roof with this policy and camera id, into the one fog; returns the figures of this run. */
  async function run(cameraId: string, policy: 'frame' | 'video', tamper?: Tamper, video?: Record<string, unknown>): Promise<Run> {
    const before = fog.stats();
    const videoBefore = fog.videoFigures();
    const link = new FogLink(controller, tamper);
    const roof = await startRoof({ policy, ...(video ? { video } : {}), cameras: [{ id: cameraId, source: clip, pace: false }] }, link);
    try {
      await roof.roof.whenFilesDone();
      await fog.drain();
      const after = fog.stats();
      const videoAfter = fog.videoFigures();
      const drops: Record<string, number> = {};
      for (const [reason, n] of Object.entries(after.drops)) if (n !== (before.drops as Record<string, number>)[reason]) drops[reason] = n - ((before.drops as Record<string, number>)[reason] ?? 0);
      return {
        link,
        roof: roof.roof.stats()[cameraId],
        fogFrames: after.frames - before.frames,
        persons: (after.detectionsByClass.person ?? 0) - (before.detectionsByClass.person ?? 0),
        drops,
        video: {
          framesDecoded: videoAfter.framesDecoded - videoBefore.framesDecoded,
          decoderStarts: videoAfter.decoderStarts - videoBefore.decoderStarts,
          decoderErrors: videoAfter.decoderErrors - videoBefore.decoderErrors,
          outOfStep: videoAfter.outOfStep - videoBefore.outOfStep,
        },
      };
    } finally {
      await roof.close();
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roof-video-'));
    clip = join(dir, 'motion-still.mp4');
    await makeMotionStillClip(sharedPath('data', 'vtest.avi'), clip, PLAN);
    const booted = await bootFog([
      `fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`,
      'fog.family=yolox',
      'fog.threads=1',
      // No face searches or person crops: this test is about frames, not faces.
      'fog.crops.minPersonHeightForFace=4096',
      'fog.crops.noFace=none',
    ]);
    app = booted.moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    fog = app.get(FogService);
    controller = app.get(FrameChangedController);
    jpegRun = await run('jpeg', 'frame');
  });

  afterAll(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('detects on as many frames as the JPEG path, every packet decoded by one decoder, still frames not sent', async () => {
    const video = await run('video', 'video');
    expect(video.link.invalid).toEqual([]);
    expect(video.roof.framesDecoded).toBe(FRAMES);
    expect(video.roof.framesForwarded).toBe(jpegRun.roof.framesForwarded);
    expect(video.roof.framesForwarded).toBeLessThan(FRAMES - PLAN.stillFrames);
    expect(video.link.frames.map((f) => f.codec)).toEqual(video.link.frames.map(() => 'h264'));
    expect(video.link.frames[0]).toMatchObject({ seq: 0, keyframe: true });
    expect(video.fogFrames).toBe(jpegRun.fogFrames);
    expect(video.fogFrames).toBe(video.roof.framesForwarded);
    expect(video.video).toEqual({ framesDecoded: video.fogFrames, decoderStarts: 1, decoderErrors: 0, outOfStep: 0 });
    expect(video.drops).toEqual({});
    expect(video.link.acks.some((a) => a.resync)).toBe(false);
    // The same people found on decoded H.264 as on JPEGs (CRF 23 vs JPEG quality 80: a few boxes may differ).
    expect(jpegRun.persons).toBeGreaterThan(3 * jpegRun.fogFrames);
    expect(Math.abs(video.persons - jpegRun.persons)).toBeLessThanOrEqual(0.05 * jpegRun.persons);
    // Video packets are smaller than the JPEGs of the same frames.
    expect(video.roof.bytesForwarded).toBeLessThan(jpegRun.roof.bytesForwarded / 3);
  });

  it('a lost message: the fog drops the packets it cannot decode, asks for a resync and decodes again from the next keyframe', async () => {
    const lostSeq = 5;
    const video = await run('lossy', 'video', (m) => (m.seq === lostSeq ? 'drop' : m), { keyframeIntervalS: KEYFRAME_INTERVAL_S });
    const keyframes = video.link.frames.filter((f) => f.keyframe).map((f) => f.seq);
    const resumeAt = keyframes.find((seq) => seq > lostSeq)!;
    expect(keyframes[0]).toBe(0);
    // The roof learnt of the loss and restarted its encoder (a keyframe) after the frames already in flight, well within the keyframe interval.
    expect(resumeAt).toBeLessThan(KEYFRAME_INTERVAL_FRAMES);
    expect(resumeAt - lostSeq).toBeLessThanOrEqual(2 * MAX_IN_FLIGHT);
    const outOfStep = video.link.frames.filter((f) => f.seq > lostSeq && f.seq < resumeAt).length;
    expect(video.video.outOfStep).toBe(outOfStep);
    expect(video.drops).toEqual(outOfStep > 0 ? { 'video-out-of-step': outOfStep } : {});
    expect(video.link.acks.filter((a) => a.resync).map((a) => a.seq)).toEqual(video.link.frames.filter((f) => f.seq > lostSeq && f.seq < resumeAt).map((f) => f.seq));
    // Everything from the keyframe on was decoded and detected on.
    expect(video.fogFrames).toBe(video.link.frames.length - 1 - outOfStep);
    expect(video.video).toMatchObject({ decoderErrors: 0, decoderStarts: 1, framesDecoded: video.fogFrames });
  });

  it('a garbage packet: the decoder error is counted, the decoder restarted, the roof asked for a keyframe and decoding resumes', async () => {
    const garbageSeq = 8;
    // A slice NAL of pseudo-random bytes: it reaches the decoder, which fails on it.
    const garbage = Buffer.concat([Buffer.from([0, 0, 0, 1, 0x41]), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) & 0xff))]);
    const withGarbage: Tamper = (m) => (m.seq === garbageSeq ? Object.assign(Object.create(Object.getPrototypeOf(m) as object) as FrameMessage, m, { packet: garbage }) : m);
    const video = await run('garbage', 'video', withGarbage, { keyframeIntervalS: KEYFRAME_INTERVAL_S });
    expect(video.video.decoderErrors).toBe(1);
    expect(video.video.decoderStarts).toBe(2);
    expect(video.drops['video-decoder-error']).toBe(1);
    const keyframes = video.link.frames.filter((f) => f.keyframe).map((f) => f.seq);
    const resumeAt = keyframes.find((seq) => seq > garbageSeq)!;
    // The fog's resync reply reaches the roof after the frames it had in flight (and those the fog had queued).
    expect(resumeAt).toBeLessThan(KEYFRAME_INTERVAL_FRAMES);
    expect(resumeAt - garbageSeq).toBeLessThanOrEqual(2 * MAX_IN_FLIGHT);
    expect(video.link.acks.find((a) => a.seq === garbageSeq)?.resync).toBe(true);
    const skipped = video.link.frames.filter((f) => f.seq > garbageSeq && f.seq < resumeAt).length;
    expect(video.video.outOfStep).toBe(skipped);
    expect(video.fogFrames).toBe(video.link.frames.length - 1 - skipped);
  });
});
