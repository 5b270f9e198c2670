/** COCO-80 class names in class order (class 0 = person), as in the shared models' coco.names. */
export const COCO_LABELS: readonly string[] = [
  'person', 'bicycle', 'car', 'motorbike', 'aeroplane', 'bus', 'train', 'truck',
  'boat', 'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat',
  'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe',
  'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard',
  'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple',
  'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake',
  'chair', 'sofa', 'pottedplant', 'bed', 'diningtable', 'toilet', 'tvmonitor', 'laptop',
  'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink',
  'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

export const PERSON_CLASS = 0;

/** Labels for a model with `classes` classes: COCO names for 80, `class-N` otherwise. */
export function labelsFor(classes: number): string[] {
  return classes === COCO_LABELS.length ? [...COCO_LABELS] : Array.from({ length: classes }, (_, i) => `class-${i}`);
}

/** What a surveillance camera looks for unless told otherwise: people, vehicles and bags (COCO names as above). */
export const SURVEILLANCE_LABELS: readonly string[] = ['person', 'bicycle', 'car', 'motorbike', 'bus', 'truck', 'backpack', 'handbag', 'suitcase'];

/**
 * The labels the detector keeps: the configured list when there is one (empty: every class); unset,
 * SURVEILLANCE_LABELS plus `alsoByDefault` (e.g. the suspicious-object classes) for a COCO model, and
 * every class for another model (its labels are not COCO names).
 */
export function keptLabels(configured: readonly string[] | undefined, alsoByDefault: readonly string[], labels: readonly string[]): readonly string[] {
  if (configured) return configured;
  const coco = labels.length === COCO_LABELS.length && labels.every((label, i) => label === COCO_LABELS[i]);
  if (!coco) return [];
  return [...new Set([...SURVEILLANCE_LABELS, ...alsoByDefault.filter((label) => labels.includes(label))])];
}
