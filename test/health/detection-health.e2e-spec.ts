import { loadConfig } from '@sentinel/config';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { FogPipeline, FogStats, HumanFaceFinder, YoloDetector } from '@sentinel/detection';
import { readVideoFrames } from '@sentinel/evaluation';
import { VTEST_HEIGHT, VTEST_WIDTH } from '../fog/fixtures';
import { RecordingLinks, frameMessage, toJpeg } from '../fog/support';

describeWithSharedData('detection health with the real YOLO detector', () => {
  it('down while its queue stays full (past fog.queueFullDownAfterMs), up when drained; down when the detector keeps failing', async () => {
    const config = loadConfig({ sets: [`fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`, 'fog.family=yolox', 'fog.queueSize=1', 'fog.queueFullDownAfterMs=5000'] }).fog;
    const detector = await YoloDetector.create({ modelPath: config.modelPath!, family: 'yolox', threads: 1, fallbackInputSize: 640, confidence: 0.3, classes: [] });
    const stats = new FogStats(undefined, { queueSize: config.queueSize, queueFullDownAfterMs: config.queueFullDownAfterMs });
    const pipeline = new FogPipeline({ config, detector, faces: new HumanFaceFinder(0.5), links: new RecordingLinks(), stats, recordStage: () => undefined });
    const frames = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, count: 6 });
    const jpegs = await Promise.all(frames.map((f) => toJpeg(f)));
    const message = (seq: number) => frameMessage('h', seq, jpegs[seq], VTEST_WIDTH, VTEST_HEIGHT);
    try {
      expect(stats.health()).toEqual({ status: 'up' });
      // One runs, one waits, the third finds the camera's queue full and pushes the waiting one out.
      // Inference finishes on a worker thread, so it cannot complete while this test only awaits
      // microtasks: the queue is still full when asked.
      const running = pipeline.handle(message(0));
      const pushedOut = pipeline.handle(message(1));
      const newest = pipeline.handle(message(2));
      await expect(pushedOut).rejects.toMatchObject({ reason: 'queue-full' });
      const inFlight = [running, newest];
      const stillFullLater = Date.now() + config.queueFullDownAfterMs;
      expect(stats.health(Date.now(), pipeline.queueDepth)).toEqual({ status: 'up' }); // full, but not for long yet
      expect(stats.health(stillFullLater, pipeline.queueDepth)).toMatchObject({ status: 'down', reason: expect.stringMatching(/^detector queue full \(1 frames\) for \d+ ms$/) });
      await Promise.all(inFlight);
      await pipeline.idle();
      expect(stats.health(stillFullLater, pipeline.queueDepth)).toEqual({ status: 'up' });

      // The model's session released under the pipeline: every frame now fails in the detector.
      await detector.dispose();
      for (const seq of [3, 4, 5]) await expect(pipeline.handle(message(seq))).rejects.toMatchObject({ reason: 'inference-error' });
      expect(stats.health()).toEqual({ status: 'down', reason: 'the last 3 frames failed in the detector' });
    } finally {
      await pipeline.idle();
    }
  }, 60_000);
});
