import type { Candidate } from '../../postprocess/decode-outputs';
import { FrameDetection, finishDetections } from '../../postprocess/postprocess';

export interface PostProcessOptions {
  nmsIou: number;
  maxDetections: number;
  labels: readonly string[];
}

/** Stage 4: candidates of all the frame's images -> the frame's detections (NMS across images, clipped, labelled). */
export function postProcess(candidates: readonly Candidate[], frame: { width: number; height: number }, options: PostProcessOptions): FrameDetection[] {
  return finishDetections(candidates, { ...options, frameWidth: frame.width, frameHeight: frame.height });
}
