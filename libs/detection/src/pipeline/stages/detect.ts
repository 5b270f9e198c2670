import type { ObjectDetector } from '../../model/object-detector';
import type { Candidate } from '../../postprocess/decode-outputs';
import type { PlacedImage } from '../frame-canvas';

/** Time spent per detector sub-stage over all images of a frame, ms. */
export interface DetectTimings {
  preprocess: number;
  inference: number;
  postprocess: number;
}

export interface DetectResult {
  /** Frame-pixel candidates of every image, before the cross-image NMS. */
  candidates: Candidate[];
  timings: DetectTimings;
}

/** The detector failed on an image (the frame is rejected as `inference-error`). */
export class DetectorFailedError extends Error {
  constructor(cause: unknown) {
    super(`detector failed: ${(cause as Error).message}`);
    this.name = 'DetectorFailedError';
  }
}

/** How regions packed into one input are detected (RegionPacker). */
export interface PackedDetector {
  detect(images: readonly PlacedImage[]): Promise<DetectResult>;
}

/**
 * Stage 3: runs the object detector on each image of the frame, one at a time; or, for a frame's
 * regions in mode `packed`, once on them packed with other frames' regions.
 */
export class DetectStage {
  constructor(
    private readonly detector: ObjectDetector,
    private readonly packer?: PackedDetector,
  ) {}

  async run(images: readonly PlacedImage[], packed = false): Promise<DetectResult> {
    if (packed && this.packer) return this.packer.detect(images);
    const timings: DetectTimings = { preprocess: 0, inference: 0, postprocess: 0 };
    const candidates: Candidate[] = [];
    for (const [source, placed] of images.entries()) {
      let found: Candidate[];
      try {
        found = await this.detector.detect(placed.image, { offsetX: placed.offsetX, offsetY: placed.offsetY, source }, (stage, ms) => (timings[stage] += ms));
      } catch (error) {
        throw new DetectorFailedError(error);
      }
      for (const c of found) candidates.push(c);
    }
    return { candidates, timings };
  }
}
