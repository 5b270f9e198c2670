import type { RgbImage } from '../image/decode-image';
import { copyBlock } from '../image/rgb-copy';

/** A decoded image and where its top-left corner sits in the frame. */
export interface PlacedImage {
  image: RgbImage;
  offsetX: number;
  offsetY: number;
}

/** Copies `region` into `canvas` at its offset; the part outside the canvas is cut off. */
export function pasteRegion(canvas: RgbImage, region: PlacedImage): void {
  const { image, offsetX, offsetY } = region;
  const x0 = Math.max(0, offsetX);
  const y0 = Math.max(0, offsetY);
  const x1 = Math.min(canvas.width, offsetX + image.width);
  const y1 = Math.min(canvas.height, offsetY + image.height);
  if (x1 <= x0 || y1 <= y0) return;
  copyBlock(image, x0 - offsetX, y0 - offsetY, x1 - x0, y1 - y0, canvas, x0, y0);
}

/**
 * The fog's copy of one camera's current frame, rebuilt from the roof's messages the way a video
 * decoder rebuilds frames from a key frame and updates: a whole frame replaces it, a set of regions
 * is pasted into it when it holds exactly the frame those regions update (`baseSeq`). Outside the
 * regions the roof saw no change, so the canvas is the current frame to within the roof's change
 * threshold, and the detector can see whole people even where only part of them moved.
 */
export class FrameCanvas {
  private image?: RgbImage;
  private seq = -1;

  /** A whole frame: it becomes the canvas (the buffer is taken over, not copied). */
  replace(image: RgbImage, seq: number): RgbImage {
    this.image = image;
    this.seq = seq;
    return image;
  }

  /**
   * Regions of frame `seq` that update frame `baseSeq`: pasted when the canvas holds that frame at
   * the same size, and the updated canvas returned; otherwise the canvas is dropped (it no longer
   * matches the roof's stream) and undefined returned.
   */
  update(regions: readonly PlacedImage[], width: number, height: number, seq: number, baseSeq: number | undefined): RgbImage | undefined {
    const image = this.image;
    if (!image || baseSeq === undefined || baseSeq !== this.seq || seq <= baseSeq || image.width !== width || image.height !== height) {
      this.invalidate();
      return undefined;
    }
    for (const region of regions) pasteRegion(image, region);
    this.seq = seq;
    return image;
  }

  invalidate(): void {
    this.image = undefined;
    this.seq = -1;
  }

  /** The latest rebuilt frame, if the canvas is in step with the roof. */
  get current(): RgbImage | undefined {
    return this.image;
  }
}
