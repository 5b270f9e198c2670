import { RgbImage } from '../image/decode-image';
import { Candidate } from '../postprocess/decode-outputs';
import { ImagePlacement } from '../postprocess/postprocess';

/** Receives the duration (ms) of a pipeline stage: 'preprocess', 'inference', 'postprocess'. */
export type StageSink = (stage: 'preprocess' | 'inference' | 'postprocess', ms: number) => void;

/**
 * Finds objects in one image. Returns candidates in frame pixels (corners), already through the
 * confidence threshold and the class filter, before the cross-image NMS done by the caller.
 * Implementations run one image at a time; the caller serialises calls.
 */
export interface ObjectDetector {
  /** What runs, for logs and health ('yolov5 yolov5n_fp16_640.onnx 640 float16', 'human-centernet'). */
  readonly description: string;
  readonly labels: readonly string[];
  /** The side of the square input the detector letterboxes every image into, when it has one (YOLO). */
  readonly inputSide?: number;
  detect(image: RgbImage, placement: ImagePlacement, stages: StageSink): Promise<Candidate[]>;
  dispose(): Promise<void>;
}

export const OBJECT_DETECTOR = Symbol('OBJECT_DETECTOR');
