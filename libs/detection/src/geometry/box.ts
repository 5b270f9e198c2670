import type { Box } from '@sentinel/contracts';

export { area, clipBox, iou } from '@sentinel/contracts';
export type { Box };


/** Grows a box by `margin` of its size on every side (0.25 adds a quarter of the width left and right). */
export function expandBox(box: Box, margin: number): Box {
  const dx = box.width * margin;
  const dy = box.height * margin;
  return { x: box.x - dx, y: box.y - dy, width: box.width + 2 * dx, height: box.height + 2 * dy };
}

/** Integer pixel rectangle covering `box`, clipped to the image; null when nothing is left. */
export function pixelRect(box: Box, width: number, height: number): { left: number; top: number; width: number; height: number } | null {
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const right = Math.min(width, Math.ceil(box.x + box.width));
  const bottom = Math.min(height, Math.ceil(box.y + box.height));
  if (right - left < 1 || bottom - top < 1) return null;
  return { left, top, width: right - left, height: bottom - top };
}

/** Size that fits inside maxSide x maxSide keeping the aspect ratio, never enlarging. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
