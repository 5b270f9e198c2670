/** A connected group of changed pixels: inclusive bounds and how many raw changed pixels it holds. */
export interface Blob {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
}

/**
 * 8-connected components of `grouping` (a 0/1 mask, typically the dilated change mask). Each blob's
 * area counts the pixels set in `raw` (the undilated mask), so dilation groups fragments without
 * inflating their size. Blobs with area < minArea are left out. `labels` (Uint8, image length) and
 * `stack` (Int32, image length) are scratch reused across frames.
 */
export function findBlobs(
  grouping: Uint8Array,
  raw: Uint8Array,
  width: number,
  height: number,
  minArea: number,
  labels: Uint8Array,
  stack: Int32Array,
): Blob[] {
  const length = width * height;
  labels.fill(0, 0, length);
  const blobs: Blob[] = [];
  for (let start = 0; start < length; start++) {
    if (!grouping[start] || labels[start]) continue;
    labels[start] = 1;
    let top = 0;
    stack[top++] = start;
    let x0 = width, y0 = height, x1 = -1, y1 = -1, area = 0;
    while (top > 0) {
      const i = stack[--top];
      const y = (i / width) | 0;
      const x = i - y * width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      area += raw[i];
      const yFrom = y > 0 ? y - 1 : y;
      const yTo = y < height - 1 ? y + 1 : y;
      const xFrom = x > 0 ? x - 1 : x;
      const xTo = x < width - 1 ? x + 1 : x;
      for (let ny = yFrom; ny <= yTo; ny++) {
        for (let nx = xFrom; nx <= xTo; nx++) {
          const j = ny * width + nx;
          if (grouping[j] && !labels[j]) {
            labels[j] = 1;
            stack[top++] = j;
          }
        }
      }
    }
    if (area >= minArea) blobs.push({ x0, y0, x1, y1, area });
  }
  return blobs;
}
