import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { YoloDetector } from '@sentinel/detection';
import { readVideoFrames } from '@sentinel/evaluation';
import { VTEST_HEIGHT, VTEST_WIDTH } from './fixtures';

describeWithSharedData('detector lanes on one shared session', () => {
  it('gives concurrent images the same detections as one at a time', async () => {
    const frames = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, count: 40 });
    const images = [frames[0], frames[13], frames[26], frames[39]].map((f) => ({ data: f.data, width: VTEST_WIDTH, height: VTEST_HEIGHT, channels: 3 as const }));
    const detector = await YoloDetector.create({ modelPath: sharedPath('models', 'yolox_nano_416.onnx'), family: 'yolox', threads: 1, fallbackInputSize: 640, confidence: 0.3, classes: [], lanes: 2 });
    try {
      const placement = { offsetX: 0, offsetY: 0 };
      const sequential = [];
      for (const image of images) sequential.push(await detector.detect(image, placement, () => undefined));
      const concurrent = await Promise.all(images.map((image) => detector.detect(image, placement, () => undefined)));
      expect(sequential.every((found) => found.length > 0)).toBe(true);
      // Different frames give different boxes, so a shared input tensor would show as a mismatch here.
      expect(concurrent).toEqual(sequential);
    } finally {
      await detector.dispose();
    }
  }, 120_000);
});
