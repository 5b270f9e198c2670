import type { Blob } from './blobs';

/** Axis-aligned rectangle in full-frame pixels: top-left corner and size (integers). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A blob's bounds at detection scale to a full-frame rectangle covering those blocks. */
export function blobToRect(blob: Blob, factor: number): Rect {
  return { x: blob.x0 * factor, y: blob.y0 * factor, width: (blob.x1 - blob.x0 + 1) * factor, height: (blob.y1 - blob.y0 + 1) * factor };
}

/** Grows a rectangle by `padding` on every side, clipped to the frame. */
export function padRect(rect: Rect, padding: number, frameWidth: number, frameHeight: number): Rect {
  const x = Math.max(0, rect.x - padding);
  const y = Math.max(0, rect.y - padding);
  const right = Math.min(frameWidth, rect.x + rect.width + padding);
  const bottom = Math.min(frameHeight, rect.y + rect.height + padding);
  return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
}

/** True when the rectangles overlap or are less than `gap` apart on both axes. */
export function rectsNear(a: Rect, b: Rect, gap: number): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

export function boundingRect(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/**
 * Merges rectangles that overlap or lie within `gap` of each other, or whose bounding rectangle is
 * at most `slack` pixels larger than the two together (each region costs a JPEG encode with a fixed
 * overhead, so two close small regions are cheaper as one), repeating until nothing merges: the
 * result never overlaps itself, so its total area is the sum.
 */
export function mergeRects(rects: readonly Rect[], gap: number, slack = 0): Rect[] {
  const merged = rects.map((r) => ({ ...r }));
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < merged.length; i++) {
      for (let j = i + 1; j < merged.length; j++) {
        const union = boundingRect(merged[i], merged[j]);
        const near = rectsNear(merged[i], merged[j], gap);
        if (!near && rectArea(union) - rectArea(merged[i]) - rectArea(merged[j]) > slack) continue;
        merged[i] = union;
        merged.splice(j, 1);
        j = i;
        changed = true;
      }
    }
  }
  return merged;
}

export function rectArea(rect: Rect): number {
  return rect.width * rect.height;
}
