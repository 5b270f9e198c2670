/** Axis-aligned box: top-left corner and size, in pixels. Same shape as the contracts' Box. */
export interface BoxLike {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function area(box: BoxLike): number {
  return Math.max(0, box.width) * Math.max(0, box.height);
}

/** Intersection over union of two boxes; 0 when either is empty. */
export function iou(a: BoxLike, b: BoxLike): number {
  const ix = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const iy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** The part of `box` inside a width x height image (may have zero size). */
export function clipBox(box: BoxLike, width: number, height: number): BoxLike {
  const x1 = Math.min(Math.max(box.x, 0), width);
  const y1 = Math.min(Math.max(box.y, 0), height);
  const x2 = Math.min(Math.max(box.x + box.width, 0), width);
  const y2 = Math.min(Math.max(box.y + box.height, 0), height);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** Grows a box by `margin` of its size on every side (0.25 adds a quarter of the width left and right). */
export function expandBox(box: BoxLike, margin: number): BoxLike {
  const dx = box.width * margin;
  const dy = box.height * margin;
  return { x: box.x - dx, y: box.y - dy, width: box.width + 2 * dx, height: box.height + 2 * dy };
}

/** Integer pixel rectangle covering `box`, clipped to the image; null when nothing is left. */
export function pixelRect(box: BoxLike, width: number, height: number): { left: number; top: number; width: number; height: number } | null {
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
