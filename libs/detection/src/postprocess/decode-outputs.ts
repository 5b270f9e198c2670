import { HEAD_STRIDES } from '../model/model-family';

/** One raw detection in model-input pixels (corners), before NMS. */
export interface Candidate {
  classId: number;
  score: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Index of the image (frame or roof region) the candidate came from, once mapped to the frame. */
  source?: number;
}

export interface DecodeOptions {
  /** Minimum score (objectness x class score where the family has objectness). */
  confidence: number;
  /** allowed[c] = 1 keeps class c; null keeps all. */
  allowed: Uint8Array | null;
  /** float16 output: the Uint16Array patterns are read through this table; null for float32 output. */
  half: Float32Array | null;
}

type Output = Float32Array | Uint16Array;

const read = (data: Output, half: Float32Array | null, i: number): number => (half ? half[data[i]] : data[i]);

function push(out: Candidate[], classId: number, score: number, cx: number, cy: number, w: number, h: number): void {
  out.push({ classId, score, x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 });
}

/** Best allowed class of a row-major row; columns `first`.. hold the class scores. */
function bestClass(data: Output, half: Float32Array | null, base: number, classes: number, allowed: Uint8Array | null): [number, number] {
  let best = -1;
  let bestScore = -Infinity;
  for (let c = 0; c < classes; c++) {
    if (allowed && !allowed[c]) continue;
    const s = read(data, half, base + c);
    if (s > bestScore) {
      bestScore = s;
      best = c;
    }
  }
  return [best, bestScore];
}

/**
 * YOLOv5 output [1, N, 5 + C], rows (cx, cy, w, h, objectness, C class scores): boxes already in
 * input pixels, all scores already through sigmoid; score = objectness x class score.
 */
export function decodeYolov5(data: Output, rows: number, rowLength: number, options: DecodeOptions): Candidate[] {
  const { confidence, allowed, half } = options;
  const classes = rowLength - 5;
  const out: Candidate[] = [];
  for (let r = 0, base = 0; r < rows; r++, base += rowLength) {
    const objectness = read(data, half, base + 4);
    if (objectness < confidence) continue; // class scores are <= 1, so the product cannot pass
    const [classId, classScore] = bestClass(data, half, base + 5, classes, allowed);
    const score = objectness * classScore;
    if (classId < 0 || score < confidence) continue;
    push(out, classId, score, read(data, half, base), read(data, half, base + 1), read(data, half, base + 2), read(data, half, base + 3));
  }
  return out;
}

/** Grid of a YOLOX head layout: for each row, its cell (gx, gy) and stride; built once per input side. */
export interface YoloxGrid {
  gx: Float32Array;
  gy: Float32Array;
  stride: Float32Array;
}

const grids = new Map<number, YoloxGrid>();

/** Strides 8, 16, 32 over ceil(side/s)^2 cells each, row-major within a stride. */
export function yoloxGrid(side: number): YoloxGrid {
  let grid = grids.get(side);
  if (grid) return grid;
  const total = HEAD_STRIDES.reduce((sum, s) => sum + Math.ceil(side / s) ** 2, 0);
  grid = { gx: new Float32Array(total), gy: new Float32Array(total), stride: new Float32Array(total) };
  let i = 0;
  for (const s of HEAD_STRIDES) {
    const n = Math.ceil(side / s);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++, i++) {
        grid.gx[i] = x;
        grid.gy[i] = y;
        grid.stride[i] = s;
      }
    }
  }
  grids.set(side, grid);
  return grid;
}

/**
 * YOLOX output [1, N, 5 + C], NOT decoded: for row i in cell (gx, gy) of stride s,
 * cx = (x + gx) * s, cy = (y + gy) * s, w = exp(w) * s, h = exp(h) * s. Objectness and class
 * scores are already sigmoid; score = objectness x class score.
 */
export function decodeYolox(data: Output, rows: number, rowLength: number, side: number, options: DecodeOptions): Candidate[] {
  const { confidence, allowed, half } = options;
  const grid = yoloxGrid(side);
  if (grid.gx.length !== rows) throw new Error(`YOLOX output has ${rows} rows, a ${side} input has ${grid.gx.length} grid cells`);
  const classes = rowLength - 5;
  const out: Candidate[] = [];
  for (let r = 0, base = 0; r < rows; r++, base += rowLength) {
    const objectness = read(data, half, base + 4);
    if (objectness < confidence) continue;
    const [classId, classScore] = bestClass(data, half, base + 5, classes, allowed);
    const score = objectness * classScore;
    if (classId < 0 || score < confidence) continue;
    const s = grid.stride[r];
    push(
      out,
      classId,
      score,
      (read(data, half, base) + grid.gx[r]) * s,
      (read(data, half, base + 1) + grid.gy[r]) * s,
      Math.exp(read(data, half, base + 2)) * s,
      Math.exp(read(data, half, base + 3)) * s,
    );
  }
  return out;
}

/** Scratch of the channel-major decode, reused between frames. */
export class ChannelMajorScratch {
  bestScore = new Float32Array(0);
  bestClass = new Int16Array(0);
  ensure(cells: number): void {
    if (this.bestScore.length !== cells) {
      this.bestScore = new Float32Array(cells);
      this.bestClass = new Int16Array(cells);
    }
  }
}

/**
 * YOLOv8/11 output [1, 4 + C, N], channel-major: channel k of cell j at k * N + j; boxes (cx, cy,
 * w, h) in input pixels; class scores without objectness. The class maximum is taken channel by
 * channel (contiguous reads) into reused scratch arrays.
 */
export function decodeYolov8(data: Output, channels: number, cells: number, options: DecodeOptions, scratch = new ChannelMajorScratch()): Candidate[] {
  const { confidence, allowed, half } = options;
  const classes = channels - 4;
  scratch.ensure(cells);
  const { bestScore, bestClass: bestCls } = scratch;
  bestScore.fill(-Infinity);
  bestCls.fill(-1);
  for (let c = 0; c < classes; c++) {
    if (allowed && !allowed[c]) continue;
    const base = (4 + c) * cells;
    // 80 x 8400 reads per frame: keep the float32 loop free of the float16 branch.
    if (half) {
      for (let j = 0; j < cells; j++) {
        const s = half[data[base + j]];
        if (s > bestScore[j]) {
          bestScore[j] = s;
          bestCls[j] = c;
        }
      }
    } else {
      for (let j = 0; j < cells; j++) {
        const s = data[base + j];
        if (s > bestScore[j]) {
          bestScore[j] = s;
          bestCls[j] = c;
        }
      }
    }
  }
  const out: Candidate[] = [];
  for (let j = 0; j < cells; j++) {
    if (bestCls[j] < 0 || bestScore[j] < confidence) continue;
    push(out, bestCls[j], bestScore[j], read(data, half, j), read(data, half, cells + j), read(data, half, 2 * cells + j), read(data, half, 3 * cells + j));
  }
  return out;
}
