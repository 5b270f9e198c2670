import { loadConfig } from '@sentinel/config';
import { DetectionsMessage, Pattern, Patterns, validateContract } from '@sentinel/contracts';
import { EmitOptions, EmitOutcome } from '@sentinel/transport';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { FogPipeline, FogStats, FrameRejectedError, HumanFaceFinder, YoloDetector } from '@sentinel/detection';
import { readVideoFrames } from '@sentinel/evaluation';
import { RecordingLinks, frameMessage, toJpeg } from './support';
import { VTEST_HEIGHT, VTEST_WIDTH } from './fixtures';

describeWithSharedData('fog pipeline queue and optional detections link', () => {
  it('runs one frame at a time, pushes the oldest waiting frame out of a full queue (counted), and emits detections when asked', async () => {
    const config = loadConfig({ sets: [`fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`, 'fog.family=yolox', 'fog.queueSize=1', 'fog.emitDetections=true'] }).fog;
    const detector = await YoloDetector.create({ modelPath: config.modelPath!, family: 'yolox', threads: 1, fallbackInputSize: 640, confidence: 0.3, classes: [] });
    const links = new RecordingLinks();
    const stages: string[] = [];
    const pipeline = new FogPipeline({ config, detector, faces: new HumanFaceFinder(0.5), links, stats: new FogStats(), recordStage: (stage) => stages.push(stage) });
    try {
      const frames = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, count: 3 });
      const jpegs = await Promise.all(frames.map((f) => toJpeg(f)));
      // Three frames at once: one runs, one waits, the third finds the queue full and pushes the waiting one out.
      const results = await Promise.allSettled(jpegs.map((jpeg, seq) => pipeline.handle(frameMessage('q', seq, jpeg, VTEST_WIDTH, VTEST_HEIGHT))));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(pipeline.cameraQueues().get('q')).toEqual({ processed: 2, dropped: 1, waiting: 0 });
      const error = (results[1] as PromiseRejectedResult).reason as FrameRejectedError;
      expect(error).toBeInstanceOf(FrameRejectedError);
      expect(error.reason).toBe('queue-full');
      expect(pipeline.stats.snapshot()).toMatchObject({ frames: 2, drops: { 'queue-full': 1 } });
      // Every stage is timed once per processed frame.
      expect(stages.filter((s) => s === 'inference')).toHaveLength(2);
      expect(new Set(stages)).toEqual(new Set(['jpeg-decode', 'preprocess', 'inference', 'postprocess', 'tracking', 'face-crop']));
      const detections = links.of<DetectionsMessage>(Patterns.Detections);
      expect(detections).toHaveLength(2);
      expect(validateContract(Patterns.Detections, detections[0]).ok).toBe(true);
      expect(detections[0].detections.every((d) => d.trackId! > 0)).toBe(true);
      expect(links.sent.find((s) => s.pattern === Patterns.Detections)!.options).toEqual({ whenFull: 'drop' });
    } finally {
      await pipeline.idle();
      await detector.dispose();
    }
  }, 60_000);

  it('keeps detecting when the cloud is behind: with 32 crop deliveries outstanding a frame picks no crops (counted) instead of waiting, and sends them once there is room', async () => {
    const config = loadConfig({ sets: [`fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`, 'fog.family=yolox'] }).fog;
    const detector = await YoloDetector.create({ modelPath: config.modelPath!, family: 'yolox', threads: 1, fallbackInputSize: 640, confidence: 0.3, classes: [] });
    const links = new StalledCloudLinks();
    const pipeline = new FogPipeline({ config, detector, faces: new HumanFaceFinder(0.5), links, stats: new FogStats(), recordStage: () => undefined });
    try {
      const [first, second] = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, count: 2 });
      const jpegs = [await toJpeg(first), await toJpeg(second)];
      // 40 cameras, each one's first frame starts tracks and so has crops; the cloud answers none of them.
      const cameras = Array.from({ length: 40 }, (_, i) => `c${i}`);
      for (const camera of cameras) await pipeline.handle(frameMessage(camera, 0, jpegs[0], VTEST_WIDTH, VTEST_HEIGHT));
      expect(links.stalled).toBe(32);
      expect(pipeline.stats.snapshot().drops['crops-deferred']).toBe(8);
      expect(pipeline.stats.snapshot().frames).toBe(40);

      links.release();
      await pipeline.idle();
      // A deferred camera's tracks are still owed a crop: its next frame sends one.
      const before = links.crops;
      await pipeline.handle(frameMessage('c39', 1, jpegs[1], VTEST_WIDTH, VTEST_HEIGHT));
      await pipeline.idle();
      expect(links.crops).toBeGreaterThan(before);
      expect(pipeline.stats.snapshot().drops['crops-deferred']).toBe(8);
    } finally {
      links.release();
      await pipeline.idle();
      await detector.dispose();
    }
  }, 120_000);
});

/** The fog's links with a cloud that takes face crops but answers none until `release()`. */
class StalledCloudLinks extends RecordingLinks {
  private waiting: Array<() => void> = [];
  private released = false;
  crops = 0;

  get stalled(): number {
    return this.waiting.length;
  }

  override async emit(pattern: Pattern, message: object, options?: EmitOptions): Promise<EmitOutcome> {
    if (pattern !== Patterns.FaceCrop) return super.emit(pattern, message, options);
    this.crops++;
    if (!this.released) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return super.emit(pattern, message, options);
  }

  release(): void {
    this.released = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
