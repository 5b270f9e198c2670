import type { YoloFamily } from '@sentinel/config';
import { LetterboxAnchor } from '../geometry/letterbox';

/** What a model family expects as input (measured facts of the Ultralytics and Megvii exports). */
export interface FamilyInput {
  /** Channel order of the planes of the [1, 3, S, S] input. */
  channels: 'rgb' | 'bgr';
  /** Pixel byte value b becomes b * scale. */
  scale: number;
  /** Grey level of the padding, 0..255 (before scaling). */
  padValue: number;
  anchor: LetterboxAnchor;
}

export const FamilyInputs: Record<YoloFamily, FamilyInput> = {
  yolov5: { channels: 'rgb', scale: 1 / 255, padValue: 114, anchor: 'center' },
  yolov8: { channels: 'rgb', scale: 1 / 255, padValue: 114, anchor: 'center' },
  yolox: { channels: 'bgr', scale: 1, padValue: 114, anchor: 'top-left' },
};

/** Strides of the three detection heads of every supported family. */
export const HEAD_STRIDES = [8, 16, 32] as const;

/** Grid cells over all heads for a side x side input: 8400 for 640, 3549 for 416. */
export function gridCellCount(side: number): number {
  return HEAD_STRIDES.reduce((sum, s) => sum + Math.ceil(side / s) ** 2, 0);
}

/**
 * Expected output layout of a family for a side x side input with `classes` classes.
 * YOLOv5: [1, 3 anchors x cells, 5 + C]; YOLOX: [1, cells, 5 + C]; YOLOv8/11: [1, 4 + C, cells].
 */
export function expectedOutputDims(family: YoloFamily, side: number, classes: number): [number, number, number] {
  const cells = gridCellCount(side);
  switch (family) {
    case 'yolov5':
      return [1, 3 * cells, 5 + classes];
    case 'yolox':
      return [1, cells, 5 + classes];
    case 'yolov8':
      return [1, 4 + classes, cells];
  }
}

/** Number of classes the output implies for a family (from the [1, a, b] dims). */
export function classesFromOutput(family: YoloFamily, dims: readonly number[]): number {
  return family === 'yolov8' ? dims[1] - 4 : dims[2] - 5;
}
