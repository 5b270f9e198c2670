import { Box, clipBox } from '@sentinel/contracts';

/** One ground-truth person box. `ignore` (MOTChallenge flag 0): neither a hit nor a false positive. */
export interface TruthBox {
  id: number;
  box: Box;
  ignore: boolean;
}

export class GroundTruthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GroundTruthError';
  }
}

/**
 * MOTChallenge ground truth `frame,id,x,y,w,h,flag,...` (1-based frames, pixels, top-left + size)
 * -> boxes per frame, clipped to the image; boxes entirely outside are dropped. A malformed line is
 * a GroundTruthError naming the line.
 */
export function parseMotGroundTruth(text: string, width: number, height: number): Map<number, TruthBox[]> {
  const frames = new Map<number, TruthBox[]>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (!line.trim() || line.startsWith('#')) return;
    const fields = line.split(',').map((f) => Number(f.trim()));
    const [frame, id, x, y, w, h, flag] = fields;
    if (fields.length < 6 || fields.slice(0, 6).some((v) => !Number.isFinite(v)) || !Number.isInteger(frame) || frame < 1 || w < 0 || h < 0) {
      throw new GroundTruthError(`ground truth line ${index + 1} is not "frame,id,x,y,w,h,flag,...": ${JSON.stringify(line.slice(0, 80))}`);
    }
    const box = clipBox({ x, y, width: w, height: h }, width, height);
    if (box.width <= 0 || box.height <= 0) return;
    let list = frames.get(frame);
    if (!list) frames.set(frame, (list = []));
    list.push({ id, box, ignore: fields.length > 6 && flag === 0 });
  });
  return frames;
}
