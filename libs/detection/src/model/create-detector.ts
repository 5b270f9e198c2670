import { isAbsolute, resolve } from 'node:path';
import type { FogConfig } from '@sentinel/config';
import { HumanObjectDetector } from './human-object-detector';
import { COCO_LABELS, PERSON_CLASS, keptLabels } from './labels';
import { ObjectDetector } from './object-detector';
import { ThreadedDetector } from './threaded-detector';
import { ModelBootError, YoloDetector, YoloDetectorOptions, classMask } from './yolo-detector';

/**
 * The detector the config asks for: the configured YOLO model (checked against its family at boot;
 * any problem is a ModelBootError), or, when no model is configured, Human's bundled COCO detector
 * (announced once through `announce`).
 */
export async function createObjectDetector(config: FogConfig, announce: (message: string) => void): Promise<ObjectDetector> {
  if (config.modelPath) {
    if (!config.family) throw new ModelBootError('fog.family is required with fog.modelPath (yolov5, yolov8 or yolox)');
    const options: YoloDetectorOptions = {
      modelPath: isAbsolute(config.modelPath) ? config.modelPath : resolve(config.modelPath),
      family: config.family,
      threads: config.threads,
      lanes: config.lanes,
      fallbackInputSize: config.inputSize,
      confidence: config.confidence,
      classes: config.classes,
      alsoByDefault: config.suspicious.classes,
      alwaysKeep: [PERSON_CLASS],
      executionProvider: config.executionProvider,
    };
    return config.detectorThread === 'worker' ? ThreadedDetector.create(options, config.lanes) : YoloDetector.create(options);
  }
  if (config.executionProvider !== 'cpu') {
    throw new ModelBootError(`fog.executionProvider ${config.executionProvider} needs a YOLO ONNX model (fog.modelPath): Human's fallback detector runs on tfjs-wasm`);
  }
  announce(
    'no fog.modelPath configured: detection falls back to the COCO CenterNet bundled with @vladmandic/human ' +
      '(slower, less accurate; see models/README.md to use a YOLO ONNX model)',
  );
  return HumanObjectDetector.create(config.confidence, classMask(keptLabels(config.classes, config.suspicious.classes, COCO_LABELS), COCO_LABELS, [PERSON_CLASS]));
}
