/**
 * yuv420p, the layout H.264 decodes to and x264 encodes from: a width x height Y plane, then U and
 * V planes of ceil(width/2) x ceil(height/2) (ffmpeg's rawvideo layout), limited range BT.601.
 */
export function yuv420pBytes(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/** The raw frame layouts roof and fog pass between ffmpeg and Node: interleaved rgb24, or planar yuv420p. */
export type PixelFormat = 'rgb24' | 'yuv420p';

/** Bytes of one raw frame: 3 per pixel for rgb24, yuv420pBytes for yuv420p. */
export function frameBytes(width: number, height: number, pixelFormat: PixelFormat): number {
  return pixelFormat === 'rgb24' ? width * height * 3 : yuv420pBytes(width, height);
}

/**
 * BT.601 limited range in 10-bit fixed point, shared by every yuv420p to RGB path (whole frames here,
 * sampled pixels and scaled model inputs in the fog): R = 1.164 (Y-16) + 1.596 (V-128),
 * G = 1.164 (Y-16) - 0.392 (U-128) - 0.813 (V-128), B = 1.164 (Y-16) + 2.017 (U-128); `round` is added
 * to the luma term before the shift by 10.
 */
export const BT601 = { yScale: 1192, rv: 1634, gu: -401, gv: -832, bu: 2066, round: 512 } as const;
const { yScale: Y_SCALE, rv: RV, gu: GU, gv: GV, bu: BU, round: ROUND } = BT601;

/**
 * Converts the rectangle (x, y, w, h) of a yuv420p frame to interleaved rgb24 (w x h x 3 bytes,
 * into `out` when given): the whole frame by default. Chroma is taken from the pixel's 2x2 block
 * (no interpolation, as ffmpeg's default unscaled conversion). Values clamp to 0..255.
 */
export function yuv420pToRgb24(
  yuv: Uint8Array,
  width: number,
  height: number,
  rect: { x: number; y: number; width: number; height: number } = { x: 0, y: 0, width, height },
  out: Uint8Array = new Uint8Array(rect.width * rect.height * 3),
): Uint8Array {
  if (yuv.length < yuv420pBytes(width, height)) throw new Error(`yuv420p frame has ${yuv.length} bytes, ${width}x${height} takes ${yuv420pBytes(width, height)}`);
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(width, x0 + Math.floor(rect.width));
  const y1 = Math.min(height, y0 + Math.floor(rect.height));
  if (out.length < (x1 - x0) * (y1 - y0) * 3) throw new Error('output buffer too small');
  const clamped = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  const chromaWidth = Math.ceil(width / 2);
  const uPlane = width * height;
  const vPlane = uPlane + chromaWidth * Math.ceil(height / 2);
  let o = 0;
  for (let row = y0; row < y1; row++) {
    const yRow = row * width;
    const cRow = (row >> 1) * chromaWidth;
    for (let col = x0; col < x1; col++) {
      const c = cRow + (col >> 1);
      const u = yuv[uPlane + c] - 128;
      const v = yuv[vPlane + c] - 128;
      const luma = (yuv[yRow + col] - 16) * Y_SCALE + ROUND;
      clamped[o++] = (luma + RV * v) >> 10;
      clamped[o++] = (luma + GU * u + GV * v) >> 10;
      clamped[o++] = (luma + BU * u) >> 10;
    }
  }
  return out;
}
