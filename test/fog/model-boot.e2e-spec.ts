import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@sentinel/config';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { FogService, ModelBootError, createObjectDetector } from '@sentinel/detection';
import { readVideoFrames } from '@sentinel/evaluation';
import { bootFog, frameMessage, toJpeg } from './support';
import { VTEST_HEIGHT, VTEST_WIDTH } from './fixtures';

const fogConfig = (sets: string[]) => loadConfig({ sets }).fog;
const noAnnounce = () => undefined;

describe('fog model configuration', () => {
  it('requires a family with a model path and rejects unknown families (config validation)', () => {
    expect(() => loadConfig({ sets: ['fog.modelPath=/models/x.onnx'] })).toThrow(/fog\.family: family must be one of: yolov5, yolov8, yolox/);
    expect(() => loadConfig({ sets: ['fog.modelPath=/models/x.onnx', 'fog.family=yolov9'] })).toThrow(/fog\.family/);
    expect(() => loadConfig({ sets: ['fog.suspicious.zones=[{cameraId: a, points: [[0, 0], [1, 1]]}]'] })).toThrow(/points/);
  });

  it('fails the boot with a clear error for a missing model file', async () => {
    await expect(createObjectDetector(fogConfig(['fog.modelPath=/nonexistent/yolo.onnx', 'fog.family=yolov5']), noAnnounce)).rejects.toThrow(
      /fog\.modelPath \/nonexistent\/yolo\.onnx: file not found/,
    );
  });

  it('fails the boot for a file that is not an ONNX model', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fog-model-')), 'broken.onnx');
    writeFileSync(file, 'definitely not protobuf');
    const error = await createObjectDetector(fogConfig([`fog.modelPath=${file}`, 'fog.family=yolov8']), noAnnounce).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBootError);
    expect((error as Error).message).toMatch(/not a loadable ONNX model/);
  });
});

describeWithSharedData('fog model boot checks with the shared models', () => {
  it('rejects a family that does not match the model and says which one it looks like', async () => {
    await expect(
      createObjectDetector(fogConfig([`fog.modelPath=${sharedPath('models', 'yolov5n_fp16_640.onnx')}`, 'fog.family=yolov8']), noAnnounce),
    ).rejects.toThrow(/output shape \[1,25200,85\] does not fit family yolov8 with a 640x640 input \(expected \[1,84,8400\] for 80 classes\); it looks like yolov5/);
    await expect(
      createObjectDetector(fogConfig([`fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`, 'fog.family=yolov5']), noAnnounce),
    ).rejects.toThrow(/does not fit family yolov5 .* it looks like yolox/);
    await expect(
      createObjectDetector(fogConfig([`fog.modelPath=${sharedPath('models', 'yolov8n_int8_640.onnx')}`, 'fog.family=yolox']), noAnnounce),
    ).rejects.toThrow(/does not fit family yolox .* it looks like yolov8/);
  }, 60_000);

  it('rejects unknown class labels in fog.classes', async () => {
    await expect(
      createObjectDetector(fogConfig([`fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`, 'fog.family=yolox', 'fog.classes=[person, unicorn]']), noAnnounce),
    ).rejects.toThrow(/fog\.classes: unknown labels unicorn/);
  });

  it('stops the Nest boot when the model is wrong', async () => {
    await expect(bootFog(['fog.modelPath=/nonexistent/yolo.onnx', 'fog.family=yolox'])).rejects.toThrow(/file not found/);
  });

  it('falls back to Human\'s bundled COCO detector when no model is configured, and says so once', async () => {
    const announced: string[] = [];
    const detector = await createObjectDetector(fogConfig([]), (m) => announced.push(m));
    expect(announced).toEqual([expect.stringMatching(/no fog\.modelPath configured: detection falls back to the COCO CenterNet/)]);
    expect(detector.description).toMatch(/human-centernet/);
    await detector.dispose();

    // The whole module works with it on a real frame.
    const { moduleRef } = await bootFog([]);
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const [frame] = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, indices: [99] });
      const outcome = await app.get(FogService).handle(frameMessage('fallback', 0, await toJpeg(frame), VTEST_WIDTH, VTEST_HEIGHT));
      expect(outcome.detections.filter((d) => d.label === 'person').length).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  }, 120_000);
});
