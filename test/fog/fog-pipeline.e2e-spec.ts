import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import sharp from 'sharp';
import request from 'supertest';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AlertMessage, FaceCropMessage, Patterns, iou, validateContract } from '@sentinel/contracts';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { HealthRegistry, MetricsService } from '@sentinel/telemetry';
import { DetectionLogLine, FogService, FrameChangedController, RgbImage } from '@sentinel/detection';
import { readVideoFrames } from '@sentinel/evaluation';
import { RecordingLinks, bootFog, frameMessage, regionsMessage, toJpeg } from './support';
import { VTEST_HEIGHT, VTEST_WIDTH } from './fixtures';

const FACE_MAX_SIDE = 160;
const PERSON_MAX_SIDE = 256;
const MAX_CROP_BYTES = 16 * 1024;

describeWithSharedData('fog pipeline wired in Nest (YOLOX-Nano, real Human faces)', () => {
  let app: INestApplication;
  let links: RecordingLinks;
  let fog: FogService;
  let controller: FrameChangedController;
  let frames: RgbImage[];
  const logPath = join(mkdtempSync(join(tmpdir(), 'fog-log-')), 'detections.jsonl');

  beforeAll(async () => {
    const booted = await bootFog([
      `fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`,
      'fog.family=yolox',
      'fog.threads=1',
      `fog.detectionLogPath=${logPath}`,
      'fog.maxInputPixels=1000000',
      `fog.crops.faceMaxSide=${FACE_MAX_SIDE}`,
      `fog.crops.personMaxSide=${PERSON_MAX_SIDE}`,
      `fog.crops.maxBytes=${MAX_CROP_BYTES}`,
      // People count as "suspicious objects" here so that the dwell alert path runs on real video.
      'fog.suspicious.classes=[person]',
      'fog.suspicious.minDwellMs=1500',
      // The rebuilt-frame path is what these tests follow; packed regions (the default) has its own spec.
      'fog.regionDetection=canvas',
    ]);
    links = booted.links;
    app = booted.moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    fog = app.get(FogService);
    controller = app.get(FrameChangedController);
    frames = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, count: 30 });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('processes 30 frames of vtest.avi: detections, tracks, bounded crops and one log line per frame', async () => {
    for (const [seq, frame] of frames.entries()) {
      const ack = await controller.onFrameChanged(frameMessage('vtest', seq, await toJpeg(frame), VTEST_WIDTH, VTEST_HEIGHT));
      expect(ack.seq).toBe(seq);
    }
    await fog.drain();
    const stats = fog.stats();
    expect(stats.frames).toBe(30);
    expect(stats.detectionsByClass.person).toBeGreaterThan(30 * 3);
    // Default classes for surveillance: people, vehicles, bags; no birds or dogs on litter and rocks.
    for (const label of Object.keys(stats.detectionsByClass)) expect(['person', 'bicycle', 'car', 'motorbike', 'bus', 'truck', 'backpack', 'handbag', 'suitcase']).toContain(label);
    expect(stats.tracksStarted).toBeGreaterThan(3);
    const crops = links.of<FaceCropMessage>(Patterns.FaceCrop);
    expect(crops.length).toBeGreaterThan(0);
    // Traffic grows with people, not frames: at most maxPerTrack (3) crops per person track.
    const perTrack = new Map<number, number>();
    for (const c of crops) perTrack.set(c.trackId, (perTrack.get(c.trackId) ?? 0) + 1);
    expect(Math.max(...perTrack.values())).toBeLessThanOrEqual(3);
    expect(crops.length).toBeLessThan(stats.detectionsByClass.person / 3);
    expect(stats.cropsSent.face + stats.cropsSent.person).toBe(crops.length);
    expect(stats.cropBytes).toBe(crops.reduce((sum, c) => sum + c.jpeg.length, 0));

    const health = await app.get(HealthRegistry).check('detection');
    expect(health).toMatchObject({ status: 'up', detector: expect.stringMatching(/^yolox yolox_nano_416\.onnx 416x416 float32/), frames: 30, tracksStarted: stats.tracksStarted });
    const metrics = await app.get(MetricsService).text();
    expect(metrics).toMatch(/sentinel_fog_frames_total\{kind="frame",detected_on="frame"\} 30/);
    expect(metrics).toMatch(/sentinel_stage_seconds_count\{stage="inference"\} 30/);

    const lines = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DetectionLogLine);
    expect(lines).toHaveLength(30);
    expect(lines[5]).toMatchObject({ cameraId: 'vtest', seq: 5, width: VTEST_WIDTH, height: VTEST_HEIGHT, kind: 'frame' });
    expect(lines[5].detections[0]).toEqual({ classId: expect.any(Number), label: expect.any(String), score: expect.any(Number), box: expect.any(Object), trackId: expect.any(Number) });
    expect(lines.reduce((n, l) => n + l.sentCrops.length, 0)).toBe(crops.length);
    const firstSent = lines.find((l) => l.sentCrops.length)!.sentCrops[0];
    expect(firstSent).toEqual({ trackId: expect.any(Number), personBox: expect.any(Object), kind: expect.stringMatching(/^(face|person)$/), bytes: expect.any(Number) });
  }, 120_000);

  it('keeps track ids of people walking across consecutive frames', () => {
    const lines = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DetectionLogLine);
    const idsIn = (l: DetectionLogLine) => new Set(l.detections.filter((d) => d.label === 'person').map((d) => d.trackId));
    const a = idsIn(lines[10]);
    const b = idsIn(lines[11]);
    const kept = [...b].filter((id) => a.has(id)).length;
    expect(kept).toBeGreaterThanOrEqual(Math.min(a.size, b.size) - 1);
  });

  it('sends no full frame over the fog-to-cloud link: every crop is a valid small JPEG, smaller than the frame', async () => {
    const crops = links.of<FaceCropMessage>(Patterns.FaceCrop);
    expect(crops.length).toBeGreaterThan(0);
    for (const crop of crops) {
      expect(validateContract(Patterns.FaceCrop, crop)).toEqual({ ok: true, value: expect.anything() });
      const meta = await sharp(crop.jpeg).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width!).toBeLessThan(VTEST_WIDTH);
      expect(meta.height!).toBeLessThan(VTEST_HEIGHT);
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(crop.kind === 'face' ? FACE_MAX_SIDE : PERSON_MAX_SIDE);
      expect(crop.jpeg.length).toBeLessThanOrEqual(MAX_CROP_BYTES);
    }
    // Nothing but crops travels to the cloud.
    expect(links.sent.filter((s) => s.pattern === Patterns.FaceCrop).every((s) => s.options?.whenFull === 'wait')).toBe(true);
  });

  it('raises one suspicious-object alert per track after the dwell time, with a snapshot', () => {
    const alerts = links.of<AlertMessage>(Patterns.Alert);
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(validateContract(Patterns.Alert, alert).ok).toBe(true);
      expect(alert.kind).toBe('suspicious-object');
      expect(alert.snapshot!.length).toBeGreaterThan(100);
      expect(alert.capturedAt - (alert.details!.since as number)).toBeGreaterThanOrEqual(1500);
    }
    expect(new Set(alerts.map((a) => a.trackId)).size).toBe(alerts.length);
  });

  it('detects in roof regions: each region letterboxed, boxes moved back to the frame, NMS across regions', async () => {
    const frame = frames[20];
    const whole = await fog.handle(frameMessage('whole', 0, await toJpeg(frame), VTEST_WIDTH, VTEST_HEIGHT));
    // Two overlapping halves: people on the seam are seen twice and must come out once.
    const split = await fog.handle(
      await regionsMessage('split', 0, frame, [
        { x: 0, y: 0, width: 448, height: 576 },
        { x: 320, y: 0, width: 448, height: 576 },
      ]),
    );
    const wholePersons = whole.detections.filter((d) => d.label === 'person');
    const splitPersons = split.detections.filter((d) => d.label === 'person');
    expect(wholePersons.length).toBeGreaterThan(2);
    const found = wholePersons.filter((w) => splitPersons.some((s) => iou(w.box, s.box) >= 0.5)).length;
    expect(found).toBeGreaterThanOrEqual(wholePersons.length - 1);
    // No duplicates from the overlap: no two split persons overlap at NMS IoU.
    for (const [i, a] of splitPersons.entries()) for (const b of splitPersons.slice(i + 1)) expect(iou(a.box, b.box)).toBeLessThanOrEqual(0.45);
    expect(splitPersons.some((d) => d.source === 1 && d.box.x >= 320)).toBe(true);
    expect(split.detectedOn).toBe('regions');
  }, 60_000);

  it('rebuilds the frame from regions that update the frame it holds, and asks for a whole frame when out of step', async () => {
    const persons = (outcome: { detections: { label: string; box: { x: number; y: number; width: number; height: number } }[] }) =>
      outcome.detections.filter((d) => d.label === 'person').map((d) => d.box);
    const [early, late] = [frames[0], frames[29]];
    const earlyPersons = persons(await fog.handle(frameMessage('whole-early', 0, await toJpeg(early), VTEST_WIDTH, VTEST_HEIGHT)));
    const latePersons = persons(await fog.handle(frameMessage('whole-late', 0, await toJpeg(late), VTEST_WIDTH, VTEST_HEIGHT)));

    // The canvas holds frame 0; frame 29 updates its left half only.
    const base = await controller.onFrameChanged(frameMessage('canvas', 0, await toJpeg(early), VTEST_WIDTH, VTEST_HEIGHT));
    expect(base.resync).toBeUndefined();
    const half = { x: 0, y: 0, width: 384, height: 576 };
    const update = await regionsMessage('canvas', 29, late, [half], undefined, 0);
    const rebuilt = await fog.handle(update);
    expect(rebuilt.detectedOn).toBe('canvas');
    expect(rebuilt.needsWholeFrame).toBe(false);
    // Left of the seam the detector saw frame 29, right of it frame 0 (people on the seam may differ).
    const seamFree = (b: { x: number; width: number }) => b.x + b.width < 370 || b.x > 398;
    const left = (b: { x: number; width: number }) => b.x + b.width < 370;
    const expected = [...latePersons.filter((b) => seamFree(b) && left(b)), ...earlyPersons.filter((b) => seamFree(b) && !left(b))];
    const found = persons(rebuilt).filter(seamFree);
    expect(expected.length).toBeGreaterThan(2);
    const matched = expected.filter((e) => found.some((f) => iou(e, f) >= 0.5)).length;
    expect(matched).toBeGreaterThanOrEqual(expected.length - 1);
    expect(found.length).toBeLessThanOrEqual(expected.length + 1);
    // The annotated view shows the rebuilt frame.
    expect(fog.latest('canvas')?.base?.width).toBe(VTEST_WIDTH);

    // A message whose base never arrived: regions used on their own, and the ack asks for a whole frame.
    const gap = await controller.onFrameChanged(await regionsMessage('canvas', 40, late, [half], undefined, 35));
    expect(gap.resync).toBe(true);
    const stillOut = await fog.handle(await regionsMessage('canvas', 41, late, [half], undefined, 40));
    expect(stillOut).toMatchObject({ detectedOn: 'regions', needsWholeFrame: true });
    await fog.handle(frameMessage('canvas', 42, await toJpeg(early), VTEST_WIDTH, VTEST_HEIGHT));
    expect((await fog.handle(await regionsMessage('canvas', 43, late, [half], undefined, 42))).detectedOn).toBe('canvas');
    expect(fog.stats().framesDetectedOn.canvas).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('never lets the next regions message write into the frame the annotated view shows', async () => {
    const half = { x: 0, y: 0, width: 384, height: 576 };
    await fog.handle(frameMessage('shown', 0, await toJpeg(frames[0]), VTEST_WIDTH, VTEST_HEIGHT));
    const shown = fog.latest('shown')!;
    const pixelsShown = Buffer.from(shown.base!.data);
    const rendering = request(app.getHttpServer()).get('/cameras/shown/latest.jpg');
    const [response, rebuilt] = await Promise.all([rendering.then((r) => r), regionsMessage('shown', 29, frames[29], [half], undefined, 0).then((m) => fog.handle(m))]);
    expect(response.status).toBe(200);
    expect(rebuilt.detectedOn).toBe('canvas');
    // The frame published for seq 0 is as it was; seq 29's view holds the pasted half.
    expect(shown.base!.data.equals(pixelsShown)).toBe(true);
    const now = fog.latest('shown')!;
    expect(now.seq).toBe(29);
    expect(now.base!.data.equals(pixelsShown)).toBe(false);
    expect(now.base!.data.subarray(0, 384 * 3).equals(pixelsShown.subarray(0, 384 * 3))).toBe(false);
  }, 60_000);

  it('ends every track of a camera at a scene change (a cut to another picture), not between consecutive frames', async () => {
    const before = fog.stats().tracksReset['scene-change'];
    const first = await fog.handle(frameMessage('cut', 0, await toJpeg(frames[0]), VTEST_WIDTH, VTEST_HEIGHT));
    const next = await fog.handle(frameMessage('cut', 1, await toJpeg(frames[1]), VTEST_WIDTH, VTEST_HEIGHT));
    expect(fog.stats().tracksReset['scene-change']).toBe(before);
    expect(next.detections.some((d) => first.detections.some((f) => f.trackId === d.trackId))).toBe(true);
    const messi = await sharp(readFileSync(sharedPath('data', 'messi5.jpg'))).resize(VTEST_WIDTH, VTEST_HEIGHT, { fit: 'fill' }).jpeg().toBuffer();
    const cut = await fog.handle(frameMessage('cut', 2, messi, VTEST_WIDTH, VTEST_HEIGHT));
    const oldIds = new Set([...first.detections, ...next.detections].map((d) => d.trackId));
    const reset = fog.stats().tracksReset['scene-change'] - before;
    expect(reset).toBeGreaterThanOrEqual(new Set(next.detections.map((d) => d.trackId)).size);
    expect(reset).toBeLessThanOrEqual(oldIds.size);
    expect(cut.detections.length).toBeGreaterThan(0);
    expect(cut.detections.every((d) => !oldIds.has(d.trackId))).toBe(true);
  }, 60_000);

  it('serves the annotated latest frame, 404 for an unknown camera, 400 for a malformed id', async () => {
    const res = await request(app.getHttpServer()).get('/cameras/vtest/latest.jpg').expect(200);
    expect(res.headers['content-type']).toMatch(/image\/jpeg/);
    const meta = await sharp(res.body as Buffer).metadata();
    expect([meta.width, meta.height]).toEqual([VTEST_WIDTH, VTEST_HEIGHT]);
    await request(app.getHttpServer()).get('/cameras/nobody/latest.jpg').expect(404);
    await request(app.getHttpServer()).get('/cameras/bad%20id!/latest.jpg').expect(400);
  });

  it('documents the annotated view in the OpenAPI document', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('fog').build());
    const operation = document.paths['/cameras/{id}/latest.jpg']?.get;
    expect(operation?.tags).toEqual(['fog']);
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['200', '400', '404']);
    expect(Object.keys((operation?.responses['200'] as { content: object }).content)).toEqual(['image/jpeg']);
  });

  it('crops the face of a person whose face is visible (messi5.jpg)', async () => {
    const jpeg = readFileSync(sharedPath('data', 'messi5.jpg'));
    const meta = await sharp(jpeg).metadata();
    const before = links.of<FaceCropMessage>(Patterns.FaceCrop).length;
    const outcome = await fog.handle(frameMessage('messi', 0, jpeg, meta.width!, meta.height!));
    const crops = links.of<FaceCropMessage>(Patterns.FaceCrop).slice(before);
    const faces = crops.filter((c) => c.kind === 'face');
    const persons = outcome.detections.filter((d) => d.label === 'person');
    const player = persons.reduce((a, b) => (a.box.width * a.box.height >= b.box.width * b.box.height ? a : b));
    // The player in the foreground has a visible face: his crop is a face crop.
    expect(faces.some((c) => c.trackId === player.trackId)).toBe(true);
    for (const face of faces) {
      const fb = face.faceBox!;
      const pb = face.personBox;
      expect(fb.x).toBeGreaterThanOrEqual(pb.x - 1);
      expect(fb.x + fb.width).toBeLessThanOrEqual(pb.x + pb.width + 1);
      expect(fb.width).toBeLessThanOrEqual(pb.width + 1);
      const cropMeta = await sharp(face.jpeg).metadata();
      expect(Math.max(cropMeta.width!, cropMeta.height!)).toBeLessThanOrEqual(FACE_MAX_SIDE);
      // Scored and counted for the cloud: a face crop is never below the minimum face size (28 px).
      expect(face.quality).toEqual({ score: expect.any(Number), size: expect.any(Number), sharpness: expect.any(Number), frontal: expect.any(Number) });
      expect(face.quality!.size).toBeGreaterThanOrEqual(28);
      expect(face.quality!.score).toBeGreaterThan(0);
      expect(face.facesSeen).toBeGreaterThanOrEqual(1);
      expect(validateContract(Patterns.FaceCrop, face).ok).toBe(true);
    }
  }, 60_000);

  describe('bad input: clear error, counted drop, process keeps running', () => {
    const rejects = async (message: Parameters<FrameChangedController['onFrameChanged']>[0], reason: string, text: RegExp) => {
      const before = fog.stats().drops[reason as keyof ReturnType<FogService['stats']>['drops']] ?? 0;
      const error = await controller.onFrameChanged(message).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RpcException);
      const body = (error as RpcException).getError() as { reason: string; message: string };
      expect(body.reason).toBe(reason);
      expect(body.message).toMatch(text);
      expect(fog.stats().drops[reason as keyof ReturnType<FogService['stats']>['drops']]).toBe(before + 1);
    };

    it('rejects a zero-byte JPEG', async () => {
      await rejects(frameMessage('bad', 1, new Uint8Array(0), 768, 576), 'empty', /zero bytes/);
    });

    it('rejects a truncated JPEG', async () => {
      const jpeg = await toJpeg(frames[0]);
      await rejects(frameMessage('bad', 2, jpeg.subarray(0, Math.floor(jpeg.length / 3)), 768, 576), 'corrupt', /premature end|corrupt/i);
    });

    it('rejects bytes that are not an image', async () => {
      await rejects(frameMessage('bad', 3, Buffer.from('this is not a JPEG at all'), 768, 576), 'not-an-image', /unsupported image format/);
    });

    it('rejects an image over the pixel limit (1 MP here)', async () => {
      const big = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#808080' } }).jpeg().toBuffer();
      await rejects(frameMessage('bad', 4, big, 1200, 1000), 'too-many-pixels', /pixel limit/);
    });

    it('rejects a frame whose JPEG does not have the declared size', async () => {
      await rejects(frameMessage('bad', 5, await toJpeg(frames[0]), 640, 480), 'size-mismatch', /decoded to 768x576/);
    });

    it('drops a region placed outside the frame or the atlas, processes the others, and rejects a message with none usable', async () => {
      const message = await regionsMessage('regions-bad', 1, frames[0], [{ x: 0, y: 0, width: 384, height: 576 }, { x: 384, y: 0, width: 384, height: 576 }]);
      message.regions![1].atlasX += 400;
      const outcome = await fog.handle(message);
      expect(outcome.droppedRegions).toBe(1);
      expect(fog.stats().drops['region-outside-atlas']).toBe(1);
      message.regions![0].x = 500;
      message.seq = 2;
      await rejects(message, 'region-outside-frame', /region 0 384x576\+500\+0 lies outside the 768x576 frame/);
    });

    it('rejects a message whose atlas JPEG is truncated', async () => {
      const message = await regionsMessage('regions-bad', 3, frames[0], [{ x: 0, y: 0, width: 384, height: 576 }]);
      message.jpeg = message.jpeg.subarray(0, 2000);
      await rejects(message, 'corrupt', /atlas: .*(premature end|corrupt)/i);
    });

    it('still processes a good frame afterwards', async () => {
      const ack = await controller.onFrameChanged(frameMessage('bad', 6, await toJpeg(frames[1]), 768, 576));
      expect(ack.detections).toBeGreaterThan(0);
    });
  });
});
