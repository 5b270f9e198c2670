import { readFileSync } from 'node:fs';
import { sharedPath } from '@sentinel/testing';
import { parseMotGroundTruth } from '@sentinel/evaluation';

export const VTEST_WIDTH = 768;
export const VTEST_HEIGHT = 576;

export const sharedModels = {
  yolov5: { file: 'yolov5n_fp16_640.onnx', family: 'yolov5' as const, minPrecision: 0.85 },
  yolov8: { file: 'yolov8n_int8_640.onnx', family: 'yolov8' as const, minPrecision: 0.85 },
  yolox: { file: 'yolox_nano_416.onnx', family: 'yolox' as const, minPrecision: 0.7 },
};

export function vtestGroundTruth() {
  return parseMotGroundTruth(readFileSync(sharedPath('data', 'vtest-gt-sample.txt'), 'utf8'), VTEST_WIDTH, VTEST_HEIGHT);
}
