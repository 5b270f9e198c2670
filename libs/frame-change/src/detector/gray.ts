export interface Size {
  width: number;
  height: number;
}

/** Size at detection scale: the frame divided by `factor`, rounded down (a remainder strip is ignored). */
export function downscaledSize(width: number, height: number, factor: number): Size {
  return { width: Math.floor(width / factor), height: Math.floor(height / factor) };
}

/**
 * rgb24 frame (height x width x 3, rows top to bottom, interleaved R,G,B) to a grey image at
 * 1/factor scale (downscaledSize), each output pixel the mean of a factor x factor block of
 * grey = (R + 2G + B) / 4. Averaging blocks also averages out sensor and compression noise.
 * `acc` is scratch of at least the output width (reused across frames).
 */
export function rgbToGrayDownscaled(
  rgb: Uint8Array,
  width: number,
  height: number,
  factor: number,
  out: Uint8Array,
  acc: Uint32Array,
): void {
  if (factor === 4) return rgbToGrayQuarter(rgb, width, height, out, acc);
  const { width: ow, height: oh } = downscaledSize(width, height, factor);
  const divisor = 4 * factor * factor;
  const half = divisor >> 1;
  const rowBytes = width * 3;
  for (let oy = 0; oy < oh; oy++) {
    acc.fill(0, 0, ow);
    for (let dy = 0; dy < factor; dy++) {
      let p = (oy * factor + dy) * rowBytes;
      for (let ox = 0; ox < ow; ox++) {
        let sum = 0;
        for (let dx = 0; dx < factor; dx++) {
          sum += rgb[p] + 2 * rgb[p + 1] + rgb[p + 2];
          p += 3;
        }
        acc[ox] += sum;
      }
    }
    const row = oy * ow;
    for (let ox = 0; ox < ow; ox++) out[row + ox] = ((acc[ox] + half) / divisor) | 0;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * rgbToGrayDownscaled for factor 4 (the default). When rows are 4-byte aligned it reads 32-bit words
 * (4 pixels = 3 words) and adds bytes two at a time in 16-bit lanes (SWAR): a third of the loads
 * of the byte loop, same result.
 */
function rgbToGrayQuarter(rgb: Uint8Array, width: number, height: number, out: Uint8Array, acc: Uint32Array): void {
  const ow = width >> 2;
  const oh = height >> 2;
  const rowBytes = width * 3;
  const aligned = LITTLE_ENDIAN && rgb.byteOffset % 4 === 0 && rowBytes % 4 === 0;
  const words = aligned ? new Uint32Array(rgb.buffer, rgb.byteOffset, (oh * 4 * rowBytes) >> 2) : undefined;
  const rowWords = rowBytes >> 2;
  for (let oy = 0; oy < oh; oy++) {
    acc.fill(0, 0, ow);
    for (let dy = 0; dy < 4; dy++) {
      if (words) {
        let q = (oy * 4 + dy) * rowWords;
        for (let ox = 0; ox < ow; ox++, q += 3) {
          // Little-endian bytes: w0 = R0 G0 B0 R1, w1 = G1 B1 R2 G2, w2 = B2 R3 G3 B3.
          const w0 = words[q], w1 = words[q + 1], w2 = words[q + 2];
          const lanes =
            (w0 & 0x00ff00ff) + ((w0 >>> 8) & 0x00ff00ff) +
            (w1 & 0x00ff00ff) + ((w1 >>> 8) & 0x00ff00ff) +
            (w2 & 0x00ff00ff) + ((w2 >>> 8) & 0x00ff00ff);
          // Every byte once, plus the four greens again (grey = R + 2G + B).
          acc[ox] += (lanes & 0xffff) + (lanes >>> 16) + ((w0 >>> 8) & 0xff) + (w1 & 0xff) + (w1 >>> 24) + ((w2 >>> 16) & 0xff);
        }
      } else {
        let p = (oy * 4 + dy) * rowBytes;
        for (let ox = 0; ox < ow; ox++, p += 12) {
          acc[ox] +=
            rgb[p] + 2 * rgb[p + 1] + rgb[p + 2] +
            rgb[p + 3] + 2 * rgb[p + 4] + rgb[p + 5] +
            rgb[p + 6] + 2 * rgb[p + 7] + rgb[p + 8] +
            rgb[p + 9] + 2 * rgb[p + 10] + rgb[p + 11];
        }
      }
    }
    const row = oy * ow;
    for (let ox = 0; ox < ow; ox++) out[row + ox] = (acc[ox] + 32) >> 6;
  }
}

/** Limited-range luma (16..235, what H.264 and MPEG-4 decode to) to the full-range grey the rgb24 path computes. */
const LUMA_TO_GRAY = Uint8Array.from({ length: 256 }, (_, y) => Math.min(255, Math.max(0, Math.round(((y - 16) * 255) / 219))));

/**
 * The Y plane of a yuv420p frame (its first width x height bytes) to a grey image at 1/factor
 * scale, each output pixel the mean of a factor x factor block mapped from limited to full range:
 * the same grey scale as rgbToGrayDownscaled within rounding (luma weighs R, G, B 0.30/0.59/0.11
 * where the rgb24 path takes 1/4, 1/2, 1/4), so thresholds mean the same for both.
 */
export function lumaToGrayDownscaled(yuv: Uint8Array, width: number, height: number, factor: number, out: Uint8Array, acc: Uint32Array): void {
  if (factor === 4 && LITTLE_ENDIAN && yuv.byteOffset % 4 === 0 && width % 4 === 0) return lumaToGrayQuarter(yuv, width, height, out);
  const { width: ow, height: oh } = downscaledSize(width, height, factor);
  const divisor = factor * factor;
  const half = divisor >> 1;
  for (let oy = 0; oy < oh; oy++) {
    acc.fill(0, 0, ow);
    for (let dy = 0; dy < factor; dy++) {
      let p = (oy * factor + dy) * width;
      for (let ox = 0; ox < ow; ox++) {
        let sum = 0;
        for (let dx = 0; dx < factor; dx++) sum += yuv[p++];
        acc[ox] += sum;
      }
    }
    const row = oy * ow;
    for (let ox = 0; ox < ow; ox++) out[row + ox] = LUMA_TO_GRAY[((acc[ox] + half) / divisor) | 0];
  }
}

/** lumaToGrayDownscaled for factor 4 on 4-byte aligned rows: one 32-bit word is one block's row, its bytes added two at a time (SWAR). */
function lumaToGrayQuarter(yuv: Uint8Array, width: number, height: number, out: Uint8Array): void {
  const ow = width >> 2;
  const oh = height >> 2;
  const words = new Uint32Array(yuv.buffer, yuv.byteOffset, (oh * 4 * width) >> 2);
  for (let oy = 0; oy < oh; oy++) {
    const r0 = oy * 4 * ow;
    const row = oy * ow;
    for (let ox = 0; ox < ow; ox++) {
      const a = words[r0 + ox], b = words[r0 + ow + ox], c = words[r0 + 2 * ow + ox], d = words[r0 + 3 * ow + ox];
      const lanes =
        (a & 0x00ff00ff) + ((a >>> 8) & 0x00ff00ff) + (b & 0x00ff00ff) + ((b >>> 8) & 0x00ff00ff) +
        (c & 0x00ff00ff) + ((c >>> 8) & 0x00ff00ff) + (d & 0x00ff00ff) + ((d >>> 8) & 0x00ff00ff);
      out[row + ox] = LUMA_TO_GRAY[((lanes & 0xffff) + (lanes >>> 16) + 8) >> 4];
    }
  }
}
