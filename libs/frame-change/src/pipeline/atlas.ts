import { packShelves } from '@sentinel/contracts';
import type { Rect } from '../detector/rects';

/** JPEG 4:2:0 codes 16x16 pixel blocks (MCUs): slots on this grid never share a block. */
export const ATLAS_ALIGN = 16;
/** The largest side a JPEG can have. */
export const ATLAS_MAX_SIDE = 65_535;

export interface AtlasLayout {
  width: number;
  height: number;
  /** Top-left corner of each region's pixels in the atlas, in the order of the regions given. */
  slots: { atlasX: number; atlasY: number }[];
}

const alignUp = (value: number, align: number): number => Math.ceil(value / align) * align;

/**
 * Packs regions into one image (an atlas) so that a frame's regions cost one JPEG encode and one
 * set of JPEG headers instead of one per region. Shelf packing, tallest first, shelves at most as
 * wide as the frame. Each region gets a slot grown to the 16-pixel block grid, so no JPEG block
 * mixes two regions (no ringing from one into another) and each region codes as it would alone.
 * Returns undefined when the atlas would exceed a JPEG's maximum side.
 */
export function packAtlas(regions: readonly Rect[], frameWidth: number, align = ATLAS_ALIGN): AtlasLayout | undefined {
  const { width, height, slots } = packShelves(regions, frameWidth, align);
  if (width > ATLAS_MAX_SIDE || height > ATLAS_MAX_SIDE) return undefined;
  return { width, height, slots: slots.map((slot) => ({ atlasX: slot.x, atlasY: slot.y })) };
}

/**
 * Copies each region of an rgb24 frame into its atlas slot and fills the rest of the slot (up to
 * the block grid) by repeating the region's last column and row: smooth, so it costs few bits
 * and does not disturb the region's own blocks. Space outside the slots is mid grey. Writes into
 * `into` (at least the atlas's size) when given, else into a new buffer.
 */
export function fillAtlas(
  frame: Uint8Array,
  frameWidth: number,
  regions: readonly Rect[],
  layout: AtlasLayout,
  into?: Buffer,
  align = ATLAS_ALIGN,
): Buffer {
  const bytes = layout.width * layout.height * 3;
  if (into && into.length < bytes) throw new Error(`atlas buffer of ${into.length} bytes, ${bytes} needed`);
  const atlas = into ? into.subarray(0, bytes).fill(128) : Buffer.alloc(bytes, 128);
  const atlasRow = layout.width * 3;
  for (const [i, region] of regions.entries()) {
    const { atlasX, atlasY } = layout.slots[i];
    const slotWidth = Math.min(alignUp(region.width, align), layout.width - atlasX);
    const slotHeight = Math.min(alignUp(region.height, align), layout.height - atlasY);
    const rowBytes = region.width * 3;
    for (let r = 0; r < region.height; r++) {
      const from = ((region.y + r) * frameWidth + region.x) * 3;
      const to = (atlasY + r) * atlasRow + atlasX * 3;
      atlas.set(frame.subarray(from, from + rowBytes), to);
      const last = to + rowBytes - 3;
      for (let p = to + rowBytes; p < to + slotWidth * 3; p += 3) atlas.copyWithin(p, last, last + 3);
    }
    const lastRow = (atlasY + region.height - 1) * atlasRow + atlasX * 3;
    for (let r = region.height; r < slotHeight; r++) atlas.copyWithin((atlasY + r) * atlasRow + atlasX * 3, lastRow, lastRow + slotWidth * 3);
  }
  return atlas;
}

/**
 * Reusable atlas buffers. A new buffer per frame is a few hundred KB of external memory per frame,
 * and at hundreds of frames per second that drives V8 into back-to-back full garbage collections
 * (measured: regions throughput fell by a third after ~20 s of a looping file).
 */
export class AtlasBuffers {
  private readonly free: Buffer[] = [];

  acquire(bytes: number): Buffer {
    const index = this.free.findIndex((buffer) => buffer.length >= bytes);
    if (index >= 0) return this.free.splice(index, 1)[0];
    // Room to grow: the next frames' atlases are rarely much larger.
    return Buffer.allocUnsafe(Math.ceil(bytes * 1.25));
  }

  release(buffer: Buffer): void {
    this.free.push(buffer);
  }
}
