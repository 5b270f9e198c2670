import type { ChangeDetectionConfig } from '@sentinel/config';
import { findBlobs } from './blobs';
import { boxBlur } from './blur';
import { DIFF_BINS, medianDifference, thresholdDifference, updateBackground } from './diff';
import { PixelFormat, frameBytes } from '@sentinel/contracts';
import { downscaledSize, lumaToGrayDownscaled, rgbToGrayDownscaled } from './gray';
import { dilate } from './morphology';
import { Rect, blobToRect, mergeRects, padRect } from './rects';

/** The detector's settings: ChangeDetectionConfig with every key resolved. */
export type ChangeDetectionSettings = Readonly<ChangeDetectionConfig>;

/** What the fog's copy of the frame took from the last frame: all of it, or these regions (none: []). */
export type ForwardedReference = 'frame' | readonly Rect[];

export interface ChangeResult {
  /** Enough changed area in kept blobs (always true for the first frame: nothing to compare with). */
  changed: boolean;
  /** Fraction of detection pixels that changed, in kept blobs, 0..1 (1 for the first frame). */
  score: number;
  /** Padded, merged full-frame rectangles of the changed blobs (the whole frame for the first frame). */
  regions: Rect[];
  /** Global brightness offset that was compensated (grey levels). */
  brightnessOffset: number;
  /** First frame compared with nothing. */
  first: boolean;
}

/**
 * Frame change detector of one camera. Input: rgb24 or yuv420p frames of a fixed size (frameBytes).
 * Per frame: grey at 1/downscale, optional box blur, difference against the previous frame (or a
 * running-average background, or what was forwarded of earlier frames) minus the median difference (global light change), per-pixel
 * threshold, dilation, 8-connected blobs (small ones ignored), blob boxes scaled to the frame,
 * padded and merged. Every buffer is allocated once per frame size and reused.
 */
export class ChangeDetector {
  readonly detectionWidth: number;
  readonly detectionHeight: number;
  private readonly length: number;
  private gray: Uint8Array;
  private previous: Uint8Array;
  private readonly scratch: Uint8Array;
  private readonly background: Float32Array;
  private readonly mask: Uint8Array;
  private readonly grouping: Uint8Array;
  private readonly labels: Uint8Array;
  private readonly stack: Int32Array;
  private readonly acc: Uint32Array;
  private readonly histogram = new Int32Array(DIFF_BINS);
  private hasReference = false;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly settings: ChangeDetectionSettings,
  ) {
    const size = downscaledSize(width, height, settings.downscale);
    if (size.width < 1 || size.height < 1) {
      throw new Error(`frame ${width}x${height} is smaller than the detection downscale ${settings.downscale}`);
    }
    this.detectionWidth = size.width;
    this.detectionHeight = size.height;
    this.length = size.width * size.height;
    this.gray = new Uint8Array(this.length);
    this.previous = new Uint8Array(this.length);
    this.scratch = new Uint8Array(this.length);
    this.background = new Float32Array(settings.reference === 'background' ? this.length : 0);
    this.mask = new Uint8Array(this.length);
    this.grouping = new Uint8Array(this.length);
    this.labels = new Uint8Array(this.length);
    this.stack = new Int32Array(this.length);
    this.acc = new Uint32Array(size.width);
  }

  /** Forget the reference: the next frame is treated as the first. */
  reset(): void {
    this.hasReference = false;
  }

  detect(frame: Uint8Array, pixelFormat: PixelFormat = 'rgb24'): ChangeResult {
    const expected = frameBytes(this.width, this.height, pixelFormat);
    if (frame.length < expected) throw new Error(`frame has ${frame.length} bytes, expected ${expected} (${pixelFormat} ${this.width}x${this.height})`);
    const { settings, length, detectionWidth: w, detectionHeight: h } = this;
    const toGray = pixelFormat === 'rgb24' ? rgbToGrayDownscaled : lumaToGrayDownscaled;
    toGray(frame, this.width, this.height, settings.downscale, this.gray, this.acc);
    if (settings.blurRadius > 0) boxBlur(this.gray, w, h, settings.blurRadius, this.scratch, this.gray);

    const useBackground = settings.reference === 'background';
    if (!this.hasReference) {
      this.hasReference = true;
      if (useBackground) for (let i = 0; i < length; i++) this.background[i] = this.gray[i];
      else this.previous.set(this.gray);
      return { changed: true, score: 1, regions: [{ x: 0, y: 0, width: this.width, height: this.height }], brightnessOffset: 0, first: true };
    }

    const reference = useBackground ? this.background : this.previous;
    const offset = settings.compensateBrightness ? medianDifference(this.gray, reference, length, this.histogram) : 0;
    thresholdDifference(this.gray, reference, length, offset, settings.pixelThreshold, this.mask);
    dilate(this.mask, w, h, settings.dilateRadius, this.scratch, this.grouping);
    const blobs = findBlobs(this.grouping, this.mask, w, h, settings.minBlobArea, this.labels, this.stack);

    if (useBackground) updateBackground(this.background, this.gray, length, settings.backgroundAlpha);
    else if (settings.reference === 'previous') this.swapReference();

    let changedPixels = 0;
    for (const blob of blobs) changedPixels += blob.area;
    const score = changedPixels / length;
    const changed = blobs.length > 0 && score >= settings.minChangedFraction;
    const regions = changed
      ? mergeRects(
          blobs.map((blob) => padRect(blobToRect(blob, settings.downscale), settings.padding, this.width, this.height)),
          settings.mergeGap,
          settings.mergeSlack,
        )
      : [];
    return { changed, score, regions, brightnessOffset: offset, first: false };
  }

  /**
   * Reference `forwarded`: what was sent of the frame just detected (the whole frame, some regions,
   * or nothing) becomes the reference there, so the next frame is compared with what the receiver
   * holds. A change too slow to pass the threshold from one frame to the next (a slow walker, a
   * creeping shadow) then adds up until it does, instead of never being sent. Call it after each
   * detect(), before the next one; other references ignore it.
   */
  forwarded(sent: ForwardedReference): void {
    if (this.settings.reference !== 'forwarded') return;
    if (sent === 'frame') {
      this.previous.set(this.gray);
      return;
    }
    const factor = this.settings.downscale;
    const w = this.detectionWidth;
    for (const rect of sent) {
      // Detection pixels wholly inside the region: the receiver got every frame pixel behind them.
      const x0 = Math.ceil(rect.x / factor);
      const y0 = Math.ceil(rect.y / factor);
      const x1 = Math.min(w, Math.floor((rect.x + rect.width) / factor));
      const y1 = Math.min(this.detectionHeight, Math.floor((rect.y + rect.height) / factor));
      for (let y = y0; y < y1; y++) this.previous.set(this.gray.subarray(y * w + x0, y * w + x1), y * w + x0);
    }
  }

  private swapReference(): void {
    const previous = this.previous;
    this.previous = this.gray;
    this.gray = previous;
  }
}
