import type { RgbImage } from '../image/decode-image';
import { copyBlock, copyImage, cropRgb } from '../image/rgb-copy';
import { Yuv420Image } from '../image/yuv420-image';

/** A decoded image and where its top-left corner sits in the frame. */
export interface PlacedImage {
  image: RgbImage;
  offsetX: number;
  offsetY: number;
}

/** Where a region sits in the frame (x, y) and where its pixels are in the atlas (atlasX, atlasY). */
export interface AtlasPlacement {
  x: number;
  y: number;
  width: number;
  height: number;
  atlasX: number;
  atlasY: number;
}

/** Whether the placement lies inside both the frame and the atlas. */
export function placementFits(p: AtlasPlacement, frame: { width: number; height: number }, atlas: { width: number; height: number }): 'ok' | 'outside-frame' | 'outside-atlas' {
  if (p.x + p.width > frame.width || p.y + p.height > frame.height) return 'outside-frame';
  if (p.atlasX + p.width > atlas.width || p.atlasY + p.height > atlas.height) return 'outside-atlas';
  return 'ok';
}

/** Each region cut out of the atlas as an image of its own, placed where it sits in the frame. */
export function cutRegions(atlas: RgbImage, placements: readonly AtlasPlacement[]): PlacedImage[] {
  return placements.map((p) => ({ image: cropRgb(atlas, p.atlasX, p.atlasY, p.width, p.height), offsetX: p.x, offsetY: p.y }));
}

/**
 * The fog's copy of one camera's current frame, rebuilt from the roof's messages the way a video
 * decoder rebuilds frames from a key frame and updates: a whole frame replaces it, a set of regions
 * is pasted into it when it holds exactly the frame those regions update (`baseSeq`). Outside the
 * regions the roof saw no change, so the canvas is the current frame to within the roof's change
 * threshold, and the detector can see whole people even where only part of them moved.
 *
 * An image handed out by `share` (the annotated view encodes it at any time, on sharp's threads) is
 * never written again: the next paste goes into a copy (copy on write).
 */
export class FrameCanvas {
  private image?: RgbImage;
  private seq = -1;
  private shared = false;

  /** A whole frame: it becomes the canvas (the buffer is taken over, not copied). */
  replace(image: RgbImage, seq: number): RgbImage {
    this.image = image;
    this.seq = seq;
    this.shared = false;
    return image;
  }

  /** The current frame for readers outside the pipeline: it stays as it is, whatever is pasted later. */
  share(): RgbImage | undefined {
    if (this.image) this.shared = true;
    return this.image;
  }

  /**
   * Regions of frame `seq` that update frame `baseSeq`, their pixels in `atlas` (placements inside
   * the frame and the atlas, as placementFits checks): pasted when the canvas holds that frame at the
   * same size, and the updated canvas returned; otherwise the canvas is dropped (it no longer matches
   * the roof's stream) and undefined returned.
   */
  update(atlas: RgbImage, placements: readonly AtlasPlacement[], width: number, height: number, seq: number, baseSeq: number | undefined): RgbImage | undefined {
    const held = this.image;
    if (!held || baseSeq === undefined || baseSeq !== this.seq || seq <= baseSeq || held.width !== width || held.height !== height) {
      this.invalidate();
      return undefined;
    }
    // A video frame (yuv420p) takes no pastes: its RGB copy does.
    const image = this.shared || held instanceof Yuv420Image ? copyImage(held) : held;
    this.image = image;
    this.shared = false;
    for (const p of placements) copyBlock(atlas, p.atlasX, p.atlasY, p.width, p.height, image, p.x, p.y);
    this.seq = seq;
    return image;
  }

  invalidate(): void {
    this.image = undefined;
    this.seq = -1;
    this.shared = false;
  }

  /** The latest rebuilt frame, if the canvas is in step with the roof. */
  get current(): RgbImage | undefined {
    return this.image;
  }
}
