import { Box, area, iou } from '@sentinel/contracts';
import { FrameDetection, NO_PIXELS } from '../../postprocess/postprocess';
import type { CoastedTrack } from './cadence';

/** A track more than this share inside the changed regions is for the detector on the regions to find. */
const MAX_CHANGED_SHARE = 0.5;
/** A region detection this close to a carried track is the same object: the fresh one is kept. */
const SAME_OBJECT_IOU = 0.3;

/** The share of `box` covered by `regions` (regions do not overlap: the roof merges them). */
function changedShare(box: Box, regions: readonly Box[]): number {
  const boxArea = area(box);
  if (boxArea <= 0) return 1;
  let covered = 0;
  for (const r of regions) {
    const ix = Math.min(box.x + box.width, r.x + r.width) - Math.max(box.x, r.x);
    const iy = Math.min(box.y + box.height, r.y + r.height) - Math.max(box.y, r.y);
    if (ix > 0 && iy > 0) covered += ix * iy;
  }
  return Math.min(1, covered / boxArea);
}

/**
 * A frame detected on its changed regions alone (fog.regionDetection packed) leaves the rest of the
 * frame unseen; but there the roof saw nothing change, so what the last detector run found there is
 * still where it was (conditional replenishment: the regions update the picture, the rest holds).
 * These are the tracks the last run saw (`coasted`) lying mostly outside the changed regions, as
 * detections of this frame, unless a region detection already is the same object. They hold no pixels
 * of this frame (`NO_PIXELS`): no appearance check, face search or snapshot is made from them.
 */
export function carriedDetections(coasted: readonly CoastedTrack[], regions: readonly Box[], found: readonly FrameDetection[], labels: readonly string[]): FrameDetection[] {
  return coasted
    .filter((t) => changedShare(t.box, regions) <= MAX_CHANGED_SHARE)
    .filter((t) => !found.some((d) => d.classId === t.classId && iou(d.box, t.box) >= SAME_OBJECT_IOU))
    .map((t) => ({ classId: t.classId, label: labels[t.classId] ?? `class-${t.classId}`, score: t.score, box: t.box, source: NO_PIXELS }));
}
