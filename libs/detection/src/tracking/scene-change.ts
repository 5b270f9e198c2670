import type { RgbImage } from '../image/decode-image';
import { rgbReader } from '../image/yuv420-image';

/** A frame reduced to the mean grey of each cell of a coarse grid. */
export interface FrameSignature {
  cols: number;
  rows: number;
  cells: Float32Array;
}

export interface SceneChangeOptions {
  /** Mean grey difference (0..255) that makes a cell count as changed. */
  cellDelta: number;
  /** Fraction of changed cells (0..1) from which the frame is a new scene. */
  fraction: number;
}

/** Points sampled per cell side (SAMPLES x SAMPLES per cell): cheap, and enough for a mean. */
const SAMPLES = 4;

/** The mean grey of each of cols x rows cells, from SAMPLES x SAMPLES points per cell. */
export function frameSignature(image: RgbImage, cols = 32, rows = 24): FrameSignature {
  const cells = new Float32Array(cols * rows);
  const pixel = new Uint8Array(3);
  const readRgb = rgbReader(image);
  const cellW = image.width / cols;
  const cellH = image.height / rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        const y = Math.min(image.height - 1, Math.floor(r * cellH + ((sy + 0.5) * cellH) / SAMPLES));
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = Math.min(image.width - 1, Math.floor(c * cellW + ((sx + 0.5) * cellW) / SAMPLES));
          readRgb(x, y, pixel);
          sum += 0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2];
        }
      }
      cells[r * cols + c] = sum / (SAMPLES * SAMPLES);
    }
  }
  return { cols, rows, cells };
}

/** Fraction of cells whose mean grey moved by at least cellDelta; 1 when the grids differ in shape. */
export function changedFraction(previous: FrameSignature, next: FrameSignature, cellDelta: number): number {
  if (previous.cols !== next.cols || previous.rows !== next.rows) return 1;
  let changed = 0;
  for (let i = 0; i < next.cells.length; i++) if (Math.abs(next.cells[i] - previous.cells[i]) >= cellDelta) changed++;
  return changed / next.cells.length;
}

/** A frame that differs from the previous one almost everywhere: a cut, a camera moved, the lights. */
export function isSceneChange(previous: FrameSignature | undefined, next: FrameSignature, options: SceneChangeOptions): boolean {
  return previous !== undefined && changedFraction(previous, next, options.cellDelta) >= options.fraction;
}

/** One camera's scene-change watch over its whole frames (a different frame size is a new scene too). */
export class SceneWatch {
  private previous?: FrameSignature;
  private previousSize = '';

  constructor(private readonly options: SceneChangeOptions) {}

  /** Whether `frame` starts a new scene; remembers it for the next call. */
  changed(frame: RgbImage): boolean {
    const size = `${frame.width}x${frame.height}`;
    const signature = frameSignature(frame);
    const changed = this.previous !== undefined && (size !== this.previousSize || isSceneChange(this.previous, signature, this.options));
    this.previous = signature;
    this.previousSize = size;
    return changed;
  }
}
