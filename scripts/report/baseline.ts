import type { FogConfig } from '@sentinel/config';
import { PERSON_CLASS, createObjectDetector, decodeImage, finishDetections } from '@sentinel/detection';
import { readVideoFrames } from '@sentinel/evaluation';
import { JpegEncoder } from '@sentinel/frame-change';
import type { ScoredDetection } from '@sentinel/evaluation';

export interface BaselineResult {
  description: string;
  /** Person detections per 1-based ground-truth frame. */
  detections: Map<number, ScoredDetection[]>;
}

/**
 * The ungated baseline: the fog's own detector (same model, threshold, NMS) on every ground-truth
 * frame, each encoded whole as JPEG at the roof's quality and decoded as the fog would.
 */
export async function runBaseline(options: { source: string; width: number; height: number; frames: readonly number[]; fog: FogConfig; jpegQuality: number }): Promise<BaselineResult> {
  const { width, height, fog } = options;
  const images = await readVideoFrames(options.source, { width, height, indices: options.frames.map((n) => n - 1) });
  if (images.length !== options.frames.length) throw new Error(`decoded ${images.length} of the ${options.frames.length} ground-truth frames of ${options.source}`);
  const frames = [...options.frames].sort((a, b) => a - b);
  const detector = await createObjectDetector(fog, () => undefined);
  const encoder = new JpegEncoder(options.jpegQuality);
  const detections = new Map<number, ScoredDetection[]>();
  try {
    for (const [i, frame] of frames.entries()) {
      const image = await decodeImage(await encoder.encodeFrame(images[i].data, width, height), fog.maxInputPixels);
      const candidates = await detector.detect(image, { offsetX: 0, offsetY: 0 }, () => undefined);
      const found = finishDetections(candidates, { nmsIou: fog.nmsIou, maxDetections: fog.maxDetections, frameWidth: width, frameHeight: height, labels: detector.labels });
      detections.set(frame, found.filter((d) => d.classId === PERSON_CLASS).map((d) => ({ box: d.box, score: d.score })));
    }
    return { description: detector.description, detections };
  } finally {
    await detector.dispose();
  }
}
