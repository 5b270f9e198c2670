import type { Worker } from 'node:worker_threads';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { ModelBootError, ThreadedDetector, YoloDetector } from '@sentinel/detection';
import { readVideoFrames } from '@sentinel/evaluation';
import { VTEST_HEIGHT, VTEST_WIDTH } from './fixtures';

const MODEL = { modelPath: sharedPath('models', 'yolox_nano_416.onnx'), family: 'yolox' as const, threads: 1, fallbackInputSize: 640, confidence: 0.3, classes: [] };
const placement = { offsetX: 0, offsetY: 0 };
const noStages = () => undefined;

async function someFrames() {
  const frames = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, count: 40 });
  return [frames[0], frames[13], frames[26], frames[39]].map((f) => ({ data: f.data, width: VTEST_WIDTH, height: VTEST_HEIGHT, channels: 3 as const }));
}

/** The worker threads inside a ThreadedDetector (private): the test kills one as a native crash would. */
const workersOf = (detector: ThreadedDetector) =>
  [...(detector as unknown as { threads: Set<{ worker: Worker }> }).threads].map((thread) => thread.worker);

describeWithSharedData('detector lanes', () => {
  let images: Awaited<ReturnType<typeof someFrames>>;
  let sequential: Awaited<ReturnType<YoloDetector['detect']>>[];

  beforeAll(async () => {
    images = await someFrames();
    const detector = await YoloDetector.create(MODEL);
    try {
      sequential = [];
      for (const image of images) sequential.push(await detector.detect(image, placement, noStages));
    } finally {
      await detector.dispose();
    }
    expect(sequential.every((found) => found.length > 0)).toBe(true);
  }, 120_000);

  it('on one shared session, gives concurrent images the same detections as one at a time', async () => {
    const detector = await YoloDetector.create({ ...MODEL, lanes: 2 });
    try {
      const concurrent = await Promise.all(images.map((image) => detector.detect(image, placement, noStages)));
      // Different frames give different boxes, so a shared input tensor would show as a mismatch here.
      expect(concurrent).toEqual(sequential);
    } finally {
      await detector.dispose();
    }
  }, 120_000);

  it('on worker threads, gives the same detections as the main thread, one at a time and two lanes at once, with stage times', async () => {
    const detector = await ThreadedDetector.create(MODEL, 2);
    try {
      expect(detector.description).toMatch(/yolox_nano_416\.onnx .* on 2 worker threads/);
      const stages: string[] = [];
      const one = await detector.detect(images[0], placement, (stage, ms) => {
        expect(ms).toBeGreaterThanOrEqual(0);
        stages.push(stage);
      });
      expect(stages).toEqual(['preprocess', 'inference', 'postprocess']);
      expect(one).toEqual(sequential[0]);
      const concurrent = await Promise.all(images.map((image) => detector.detect(image, placement, noStages)));
      expect(concurrent).toEqual(sequential);
    } finally {
      await detector.dispose();
    }
  }, 120_000);

  it('fails the image a dying worker held, replaces the worker and keeps detecting', async () => {
    const detector = await ThreadedDetector.create(MODEL, 1);
    try {
      const inFlight = detector.detect(images[1], placement, noStages);
      await workersOf(detector)[0].terminate();
      await expect(inFlight).rejects.toThrow(/detector worker died: worker exited/);
      expect(detector.restarts).toBe(1);
      expect(await detector.detect(images[2], placement, noStages)).toEqual(sequential[2]);
      expect(detector.workerCount).toBe(1);
    } finally {
      await detector.dispose();
    }
  }, 120_000);

  it('stops the boot with the model error the worker met', async () => {
    await expect(ThreadedDetector.create({ ...MODEL, modelPath: '/nonexistent/model.onnx' }, 1)).rejects.toThrow(ModelBootError);
    await expect(ThreadedDetector.create({ ...MODEL, family: 'yolov5' }, 1)).rejects.toThrow(/does not fit family yolov5.*looks like yolox/);
  }, 120_000);
});
