import sharp from 'sharp';
import type { Rect } from '../detector/rects';
import { AtlasBuffers, fillAtlas, packAtlas } from './atlas';

/** A frame's changed regions as one JPEG atlas, and where each region sits in it. */
export interface EncodedAtlas {
  jpeg: Buffer;
  regions: (Rect & { atlasX: number; atlasY: number })[];
}

/**
 * JPEG encoding of rgb24 frames (height x width x 3) with sharp (libjpeg-turbo, on libuv's thread
 * pool, so several frames encode while the main thread detects the next). Huffman optimisation is
 * off: on 768x576 it doubles encode time for about 1% fewer bytes.
 */
export class JpegEncoder {
  private readonly atlasBuffers = new AtlasBuffers();

  constructor(private readonly quality: number) {}

  encodeFrame(rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
    return sharp(rgb, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: this.quality, optimiseCoding: false })
      .toBuffer();
  }

  /**
   * The regions packed into one atlas and encoded once: a sharp call costs about 0.5 ms before it
   * encodes a pixel, and every JPEG carries ~600 bytes of headers, so one per region would cost
   * more than the pixels on a frame with several small regions. Undefined when the regions do not
   * fit a JPEG (send the whole frame instead).
   */
  async encodeRegions(rgb: Uint8Array, width: number, regions: readonly Rect[]): Promise<EncodedAtlas | undefined> {
    const layout = packAtlas(regions, width);
    if (!layout) return undefined;
    const buffer = this.atlasBuffers.acquire(layout.width * layout.height * 3);
    try {
      const atlas = fillAtlas(rgb, width, regions, layout, buffer);
      const jpeg = await this.encodeFrame(atlas, layout.width, layout.height);
      return { jpeg, regions: regions.map((region, i) => ({ ...region, ...layout.slots[i] })) };
    } finally {
      this.atlasBuffers.release(buffer);
    }
  }
}
