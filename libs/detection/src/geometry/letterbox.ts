import { Box } from './box';

/** Where the resized image sits in the square model input. */
export type LetterboxAnchor = 'center' | 'top-left';

/**
 * How a srcWidth x srcHeight image is placed in a side x side model input: scaled by one factor
 * (aspect ratio kept) to width x height, then padded. `center` splits the padding (Ultralytics),
 * `top-left` puts all of it at the bottom/right (YOLOX).
 */
export interface Letterbox {
  srcWidth: number;
  srcHeight: number;
  side: number;
  /** Size of the resized image inside the input. */
  width: number;
  height: number;
  /** Offset of the resized image in the input (left and top padding). */
  padX: number;
  padY: number;
  /** Input pixels per source pixel along each axis (width / srcWidth, height / srcHeight). */
  scaleX: number;
  scaleY: number;
}

export function computeLetterbox(srcWidth: number, srcHeight: number, side: number, anchor: LetterboxAnchor): Letterbox {
  if (!(srcWidth > 0 && srcHeight > 0 && side > 0)) throw new Error(`letterbox needs positive sizes (got ${srcWidth}x${srcHeight} into ${side})`);
  const ratio = Math.min(side / srcWidth, side / srcHeight);
  const width = Math.min(side, Math.max(1, Math.round(srcWidth * ratio)));
  const height = Math.min(side, Math.max(1, Math.round(srcHeight * ratio)));
  const padX = anchor === 'center' ? Math.floor((side - width) / 2) : 0;
  const padY = anchor === 'center' ? Math.floor((side - height) / 2) : 0;
  return { srcWidth, srcHeight, side, width, height, padX, padY, scaleX: width / srcWidth, scaleY: height / srcHeight };
}

/** Maps a box in model-input pixels back to source-image pixels (not clipped). */
export function inputBoxToSource(box: Box, lb: Letterbox): Box {
  return {
    x: (box.x - lb.padX) / lb.scaleX,
    y: (box.y - lb.padY) / lb.scaleY,
    width: box.width / lb.scaleX,
    height: box.height / lb.scaleY,
  };
}
