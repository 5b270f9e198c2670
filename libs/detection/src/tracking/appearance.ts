import { Box, pixelRect } from '../geometry/box';
import type { RgbImage } from '../image/decode-image';
import { rgbReader } from '../image/yuv420-image';

/** Colour histogram: LEVELS^3 RGB bins that sum to 1. */
export type ColourHistogram = Float32Array;

const LEVELS = 4;
const BINS = LEVELS * LEVELS * LEVELS;
/** Sample points across x 2*across down the box: enough for a 64-bin histogram, cheap per person. */
const ACROSS = 16;
/** The central part of the box (fraction of its width and height) that is mostly the person, not the background. */
const INNER = 0.6;
/** Weight of the newest histogram in a track's running one. */
const BLEND = 0.3;

/** Colour histogram of the central part of a box (the person more than the background); null when outside the image. */
export function boxHistogram(image: RgbImage, box: Box): ColourHistogram | null {
  const inner = { x: box.x + (box.width * (1 - INNER)) / 2, y: box.y + (box.height * (1 - INNER)) / 2, width: box.width * INNER, height: box.height * INNER };
  const rect = pixelRect(inner, image.width, image.height);
  if (!rect) return null;
  const histogram = new Float32Array(BINS);
  const pixel = new Uint8Array(3);
  const readRgb = rgbReader(image);
  const down = ACROSS * 2;
  let n = 0;
  for (let j = 0; j < down; j++) {
    const y = rect.top + Math.min(rect.height - 1, Math.floor(((j + 0.5) * rect.height) / down));
    for (let i = 0; i < ACROSS; i++) {
      const x = rect.left + Math.min(rect.width - 1, Math.floor(((i + 0.5) * rect.width) / ACROSS));
      readRgb(x, y, pixel);
      const bin = ((pixel[0] * LEVELS) >> 8) * LEVELS * LEVELS + ((pixel[1] * LEVELS) >> 8) * LEVELS + ((pixel[2] * LEVELS) >> 8);
      histogram[bin]++;
      n++;
    }
  }
  for (let b = 0; b < BINS; b++) histogram[b] /= n;
  return histogram;
}

/** Histogram intersection: 1 for the same colours, 0 for none in common. */
export function histogramOverlap(a: ColourHistogram, b: ColourHistogram): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.min(a[i], b[i]);
  return sum;
}

/**
 * One camera's appearance memory per track: a running colour histogram of each track's box. A box
 * whose colours overlap its track's by less than `minOverlap` is another person (a new person
 * standing where another stood): the caller ends the track.
 */
export class AppearanceWatch {
  private readonly tracks = new Map<number, ColourHistogram>();

  constructor(private readonly minOverlap: number) {}

  /** Compares the box with its track (and learns it); true when the person changed abruptly. */
  changed(trackId: number, histogram: ColourHistogram): boolean {
    const known = this.tracks.get(trackId);
    if (!known) {
      this.tracks.set(trackId, histogram);
      return false;
    }
    if (this.minOverlap > 0 && histogramOverlap(known, histogram) < this.minOverlap) return true;
    for (let i = 0; i < known.length; i++) known[i] = (1 - BLEND) * known[i] + BLEND * histogram[i];
    return false;
  }

  forget(trackId: number): void {
    this.tracks.delete(trackId);
  }
}
