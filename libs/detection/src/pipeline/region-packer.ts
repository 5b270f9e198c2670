import { packShelves } from '@sentinel/contracts';
import type { RgbImage } from '../image/decode-image';
import { copyBlock } from '../image/rgb-copy';
import type { ObjectDetector } from '../model/object-detector';
import type { Candidate } from '../postprocess/decode-outputs';
import type { PlacedImage } from './frame-canvas';
import { DetectResult, DetectTimings, DetectorFailedError } from './stages/detect';

/** Pixels of padding between packed images, so that no box is drawn across two of them. */
export const PACK_GAP = 8;
/** What the input holds outside the packed images: the letterbox grey every supported family pads with. */
const PAD_VALUE = 114;

/** Where one packed image lies in the input (x, y; its size) and where its top-left corner sits in its frame. */
export interface PackedSlot {
  /** Which job (frame) of the pass the image belongs to, and its index among that frame's images. */
  job: number;
  image: number;
  x: number;
  y: number;
  width: number;
  height: number;
  offsetX: number;
  offsetY: number;
}

/**
 * Where each image goes in one `side` x `side` model input at its own scale (shelf packing, tallest
 * first, `gap` pixels between images), or undefined when they do not all fit.
 */
export function packSquare(sizes: readonly { width: number; height: number }[], side: number, gap = PACK_GAP): { x: number; y: number }[] | undefined {
  if (sizes.length === 0) return [];
  // Each image with `gap` pixels right of and below it; the last on a shelf may end at the edge.
  const layout = packShelves(sizes.map((s) => ({ width: s.width + gap, height: s.height + gap })), side + gap);
  return layout.width <= side + gap && layout.height <= side + gap ? layout.slots : undefined;
}

/**
 * Input-pixel candidates of a packed pass -> each frame's candidates in frame pixels: a candidate
 * belongs to the image its centre lies in, is clipped to that image (whatever the model drew past
 * its edge is padding or another camera), and is shifted to where the image sits in its frame.
 * Candidates whose centre lies in the padding are dropped.
 */
export function unpackCandidates(candidates: readonly Candidate[], slots: readonly PackedSlot[], jobs: number): Candidate[][] {
  const byJob: Candidate[][] = Array.from({ length: jobs }, () => []);
  for (const c of candidates) {
    const cx = (c.x1 + c.x2) / 2;
    const cy = (c.y1 + c.y2) / 2;
    const slot = slots.find((s) => cx >= s.x && cx < s.x + s.width && cy >= s.y && cy < s.y + s.height);
    if (!slot) continue;
    const clipX = (v: number) => Math.min(Math.max(v, slot.x), slot.x + slot.width) - slot.x + slot.offsetX;
    const clipY = (v: number) => Math.min(Math.max(v, slot.y), slot.y + slot.height) - slot.y + slot.offsetY;
    byJob[slot.job].push({ classId: c.classId, score: c.score, x1: clipX(c.x1), y1: clipY(c.y1), x2: clipX(c.x2), y2: clipY(c.y2), source: slot.image });
  }
  return byJob;
}

interface Job {
  images: readonly PlacedImage[];
  resolve: (result: DetectResult) => void;
  reject: (error: Error) => void;
}

export interface PackerFigures {
  /** Detector runs on packed inputs. */
  passes: number;
  /** Frames (jobs) those runs served: frames / passes is how many frames shared one input on average. */
  frames: number;
  images: number;
}

/**
 * Detects the changed regions of one or several cameras' frames packed into one model input at
 * their own scale (no resizing: a person keeps the pixels the roof sent). Frames queue while a
 * detector run is in flight; the next run takes, in arrival order, every waiting frame whose regions
 * still fit beside the ones taken, so the busier the fog, the more frames share one run. A frame
 * whose regions do not fit one input is not accepted (`fits`): the caller detects it another way.
 * At most `maxRuns` runs are in flight (one per detector lane, plus one being prepared).
 */
export class RegionPacker {
  private readonly waiting: Job[] = [];
  private readonly spare: Buffer[] = [];
  private running = 0;
  private readonly counts: PackerFigures = { passes: 0, frames: 0, images: 0 };

  constructor(
    private readonly detector: ObjectDetector,
    readonly side: number,
    private readonly maxRuns = 1,
  ) {}

  /** Whether these images fit one input together (nothing else beside them). */
  fits(sizes: readonly { width: number; height: number }[]): boolean {
    return sizes.length > 0 && packSquare(sizes, this.side) !== undefined;
  }

  figures(): PackerFigures {
    return { ...this.counts };
  }

  detect(images: readonly PlacedImage[]): Promise<DetectResult> {
    if (!this.fits(images.map((p) => p.image))) return Promise.reject(new Error(`${images.length} regions do not fit one ${this.side}x${this.side} input`));
    return new Promise<DetectResult>((resolve, reject) => {
      this.waiting.push({ images, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxRuns && this.waiting.length > 0) {
      const { jobs, positions } = this.takeBatch();
      this.running++;
      void this.run(jobs, positions).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** The first waiting frame, then every later one (in order) that still fits beside those taken. */
  private takeBatch(): { jobs: Job[]; positions: { x: number; y: number }[] } {
    const jobs: Job[] = [];
    let sizes: RgbImage[] = [];
    let positions: { x: number; y: number }[] = [];
    for (let i = 0; i < this.waiting.length; ) {
      const candidate = [...sizes, ...this.waiting[i].images.map((p) => p.image)];
      const packed = packSquare(candidate, this.side);
      if (packed) {
        jobs.push(...this.waiting.splice(i, 1));
        sizes = candidate;
        positions = packed;
      } else {
        i++;
      }
    }
    return { jobs, positions };
  }

  private async run(jobs: Job[], positions: { x: number; y: number }[]): Promise<void> {
    const { side } = this;
    const data = this.spare.pop() ?? Buffer.allocUnsafe(side * side * 3);
    data.fill(PAD_VALUE);
    const input: RgbImage = { data, width: side, height: side, channels: 3 };
    const slots: PackedSlot[] = [];
    jobs.forEach((job, j) =>
      job.images.forEach((placed, i) => {
        const at = positions[slots.length];
        copyBlock(placed.image, 0, 0, placed.image.width, placed.image.height, input, at.x, at.y);
        slots.push({ job: j, image: i, x: at.x, y: at.y, width: placed.image.width, height: placed.image.height, offsetX: placed.offsetX, offsetY: placed.offsetY });
      }),
    );
    const timings: DetectTimings = { preprocess: 0, inference: 0, postprocess: 0 };
    try {
      const found = await this.detector.detect(input, { offsetX: 0, offsetY: 0, source: 0 }, (stage, ms) => (timings[stage] += ms));
      this.counts.passes++;
      this.counts.frames += jobs.length;
      this.counts.images += slots.length;
      // Each frame is charged its share of the run: what one frame cost the fog.
      const share: DetectTimings = { preprocess: timings.preprocess / jobs.length, inference: timings.inference / jobs.length, postprocess: timings.postprocess / jobs.length };
      unpackCandidates(found, slots, jobs.length).forEach((candidates, j) => jobs[j].resolve({ candidates, timings: share }));
    } catch (error) {
      for (const job of jobs) job.reject(new DetectorFailedError(error));
    } finally {
      this.spare.push(data);
    }
  }
}
