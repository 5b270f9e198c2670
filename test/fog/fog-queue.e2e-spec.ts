import { loadConfig } from '@sentinel/config';
import { DetectionsMessage, Patterns, validateContract } from '@sentinel/contracts';
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
});
