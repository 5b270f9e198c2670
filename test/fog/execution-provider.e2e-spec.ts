import * as ort from 'onnxruntime-node';
import { ExecutionProviders, loadConfig } from '@sentinel/config';
import { ModelBootError, PERSON_CLASS, createObjectDetector } from '@sentinel/detection';
import { readVideoFrames } from '@sentinel/evaluation';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { bootFog } from './support';
import { VTEST_HEIGHT, VTEST_WIDTH } from './fixtures';

const noAnnounce = () => undefined;
const model = () => [`fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`, 'fog.family=yolox'];
const fogConfig = (sets: string[]) => loadConfig({ sets }).fog;

describe('fog.executionProvider (config)', () => {
  it('defaults to cpu and rejects names onnxruntime does not have', () => {
    expect(loadConfig({}).fog.executionProvider).toBe('cpu');
    expect(() => loadConfig({ sets: ['fog.executionProvider=gpu'] })).toThrow(/fog\.executionProvider: executionProvider must be one of: cpu, cuda, tensorrt/);
  });

  it('refuses a provider other than cpu without a YOLO model (Human runs on tfjs-wasm)', async () => {
    await expect(createObjectDetector(fogConfig(['fog.executionProvider=cuda']), noAnnounce)).rejects.toThrow(
      new ModelBootError("fog.executionProvider cuda needs a YOLO ONNX model (fog.modelPath): Human's fallback detector runs on tfjs-wasm"),
    );
  });
});

describeWithSharedData('fog.executionProvider with a real model on this onnxruntime-node build', () => {
  const supported = ort.listSupportedBackends();

  it('runs the model on cpu when asked explicitly, and finds people', async () => {
    const detector = await createObjectDetector(fogConfig([...model(), 'fog.executionProvider=cpu']), noAnnounce);
    try {
      const [frame] = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, indices: [99] });
      const candidates = await detector.detect(frame, { offsetX: 0, offsetY: 0 }, () => undefined);
      expect(candidates.filter((c) => c.classId === PERSON_CLASS).length).toBeGreaterThan(0);
    } finally {
      await detector.dispose();
    }
  }, 60_000);

  it('fails the boot naming a provider this build does not have', async () => {
    const missing = ExecutionProviders.find((name) => !supported.some((backend) => backend.name === name));
    expect(missing).toBeDefined(); // Linux builds have no coreml or dml
    await expect(createObjectDetector(fogConfig([...model(), `fog.executionProvider=${missing}`]), noAnnounce)).rejects.toThrow(
      new RegExp(`^fog\\.executionProvider ${missing}: this onnxruntime-node build has no ${missing} provider \\(it lists: cpu`),
    );
    await expect(bootFog([...model(), `fog.executionProvider=${missing}`])).rejects.toThrow(/has no .* provider/);
  }, 60_000);

  it('cuda: fails the boot with the reason when its libraries or device are missing, runs when they are there', async () => {
    const outcome = await createObjectDetector(fogConfig([...model(), 'fog.executionProvider=cuda']), noAnnounce).then(
      async (detector) => {
        await detector.dispose();
        return 'started';
      },
      (error: unknown) => error,
    );
    if (outcome === 'started') return; // a machine with CUDA: nothing more to show
    expect(outcome).toBeInstanceOf(ModelBootError);
    const listed = supported.some((b) => b.name === 'cuda');
    expect((outcome as Error).message).toMatch(
      listed ? /^fog\.executionProvider cuda: onnxruntime could not start the cuda execution provider .*; the model itself loads on cpu$/ : /has no cuda provider/,
    );
  }, 60_000);
});
