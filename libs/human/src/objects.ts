import type { Config, Human, ObjectResult } from '@vladmandic/human';
import { HumanRuntime } from './human-runtime';
import type { Box } from '@sentinel/contracts';
import { ImageInput, PrepareOptions, prepareImage, toSourceBox } from './image-input';

export interface ObjectDetectOptions extends PrepareOptions {
  /** Minimum score 0..1 (default 0.2). */
  minScore?: number;
  /** NMS IoU threshold (default 0.4). */
  iouThreshold?: number;
  /** At most this many objects (default 50). */
  maxObjects?: number;
}

export interface DetectedObject {
  /** Box in pixels of the caller's image. */
  box: Box;
  /** COCO-80 class index, 0-based (0 = person), the order of `coco.names`. */
  classId: number;
  label: string;
  score: number;
}

async function runObjects(human: Human, rgb: Uint8Array, width: number, height: number, options: ObjectDetectOptions): Promise<ObjectResult[]> {
  const tensor = human.tf.tensor3d(rgb, [height, width, 3], 'int32');
  try {
    const result = await human.detect(tensor, {
      face: { enabled: false } as Config['face'],
      object: {
        enabled: true,
        skipFrames: 0,
        skipTime: 0,
        minConfidence: options.minScore ?? 0.2,
        iouThreshold: options.iouThreshold ?? 0.4,
        maxDetected: options.maxObjects ?? 50,
      } as Config['object'],
    });
    if (result.error) throw new Error(`Human object detection failed: ${result.error}`);
    return result.object;
  } finally {
    human.tf.dispose(tensor);
    // Leave the object model off for the next (face) call: detect merges configs permanently.
    human.config.object.enabled = false;
  }
}

/**
 * COCO objects with Human's bundled CenterNet (input resized to 512x512 inside). Throws
 * InvalidImageError on bad input.
 */
export async function detectObjects(input: ImageInput, options: ObjectDetectOptions = {}, runtime = HumanRuntime.shared()): Promise<DetectedObject[]> {
  const image = await prepareImage(input, options);
  const objects = await runtime.exclusive((human) => runObjects(human, image.rgb, image.width, image.height, options));
  const detected: DetectedObject[] = [];
  for (const object of objects) {
    const [x, y, width, height] = object.box;
    const box = toSourceBox(image, { x, y, width, height });
    if (box) detected.push({ box, classId: object.class, label: object.label, score: object.score });
  }
  return detected;
}
