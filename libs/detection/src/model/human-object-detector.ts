import { detectObjects, warmUpHuman } from '@sentinel/human';
import { RgbImage } from '../image/decode-image';
import { Candidate } from '../postprocess/decode-outputs';
import { ImagePlacement } from '../postprocess/postprocess';
import { COCO_LABELS } from './labels';
import { ObjectDetector, StageSink } from './object-detector';

/**
 * The no-YOLO fallback: Human's bundled COCO CenterNet (tfjs wasm), so the product works on a fresh
 * machine without any model download. Slower and less accurate than the YOLO models; pre-processing
 * happens inside Human, so its whole time counts as 'inference'.
 */
export class HumanObjectDetector implements ObjectDetector {
  readonly description = 'human-centernet (bundled with @vladmandic/human, fallback: no fog.modelPath configured)';
  readonly labels = COCO_LABELS;

  private constructor(
    private readonly confidence: number,
    private readonly allowed: Uint8Array | null,
  ) {}

  static async create(confidence: number, allowed: Uint8Array | null): Promise<HumanObjectDetector> {
    await warmUpHuman({ faces: true, objects: true });
    return new HumanObjectDetector(confidence, allowed);
  }

  async detect(image: RgbImage, placement: ImagePlacement, stages: StageSink): Promise<Candidate[]> {
    let t = performance.now();
    const objects = await detectObjects(image, { minScore: this.confidence, iouThreshold: 0.45, maxObjects: 100 });
    const now = performance.now();
    stages('preprocess', 0);
    stages('inference', now - t);
    t = now;
    const out: Candidate[] = [];
    for (const o of objects) {
      if (this.allowed && !this.allowed[o.classId]) continue;
      const x1 = o.box.x + placement.offsetX;
      const y1 = o.box.y + placement.offsetY;
      out.push({ classId: o.classId, score: o.score, x1, y1, x2: x1 + o.box.width, y2: y1 + o.box.height, source: placement.source });
    }
    stages('postprocess', performance.now() - t);
    return out;
  }

  async dispose(): Promise<void> {}
}
