import { Box, clipBox } from '../geometry/box';
import { Letterbox } from '../geometry/letterbox';
import { Candidate } from './decode-outputs';
import { nmsPerClass } from './nms';

/** A detection in frame pixels. */
export interface FrameDetection {
  classId: number;
  label: string;
  score: number;
  box: Box;
  /** Index of the image (frame or roof region) it was found in; NO_PIXELS when carried over or predicted. */
  source: number;
}

/** The `source` of a detection no image of the frame holds (a track carried over unchanged). */
export const NO_PIXELS = -1;

/** Where an image sits in the frame: (0, 0) for a whole frame, the region's offset for a roof region. */
export interface ImagePlacement {
  offsetX: number;
  offsetY: number;
  /** Index of the image among the frame's images (0 for a whole frame). */
  source?: number;
}

/**
 * Input-pixel candidates of one image -> frame-pixel candidates (corners): undo the letterbox,
 * then shift by the image's offset in the frame. Returns new objects.
 */
export function candidatesToFrame(candidates: readonly Candidate[], lb: Letterbox, placement: ImagePlacement): Candidate[] {
  return candidates.map((c) => ({
    classId: c.classId,
    score: c.score,
    x1: (c.x1 - lb.padX) / lb.scaleX + placement.offsetX,
    y1: (c.y1 - lb.padY) / lb.scaleY + placement.offsetY,
    x2: (c.x2 - lb.padX) / lb.scaleX + placement.offsetX,
    y2: (c.y2 - lb.padY) / lb.scaleY + placement.offsetY,
    source: placement.source ?? 0,
  }));
}

export interface FinishOptions {
  nmsIou: number;
  maxDetections: number;
  frameWidth: number;
  frameHeight: number;
  labels: readonly string[];
}

/**
 * Frame-pixel candidates (of one frame, or of all its regions together) -> final detections:
 * per-class NMS across everything, boxes clipped to the frame, empty boxes dropped.
 */
export function finishDetections(candidates: readonly Candidate[], options: FinishOptions): FrameDetection[] {
  const kept = nmsPerClass(candidates, options.nmsIou, options.maxDetections);
  const out: FrameDetection[] = [];
  for (const c of kept) {
    const box = clipBox({ x: c.x1, y: c.y1, width: c.x2 - c.x1, height: c.y2 - c.y1 }, options.frameWidth, options.frameHeight);
    if (box.width < 1 || box.height < 1) continue;
    out.push({ classId: c.classId, label: options.labels[c.classId] ?? `class-${c.classId}`, score: c.score, box, source: c.source ?? 0 });
  }
  return out;
}
