import { COCO_LABELS, SURVEILLANCE_LABELS, keptLabels, labelsFor } from './labels';
import { classMask } from './yolo-detector';

describe('default classes for surveillance', () => {
  it('keeps people, vehicles and bags (plus the suspicious-object classes) of a COCO model when fog.classes is unset', () => {
    expect(keptLabels(undefined, [], COCO_LABELS)).toEqual(SURVEILLANCE_LABELS);
    expect(keptLabels(undefined, ['umbrella', 'backpack', 'unicorn'], COCO_LABELS)).toEqual([...SURVEILLANCE_LABELS, 'umbrella']);
    const mask = classMask(keptLabels(undefined, [], COCO_LABELS), COCO_LABELS, [0])!;
    const kept = COCO_LABELS.filter((_, i) => mask[i]);
    expect(kept).toEqual(['person', 'bicycle', 'car', 'motorbike', 'bus', 'truck', 'backpack', 'handbag', 'suitcase']);
    expect(kept).not.toContain('bird');
    expect(kept).not.toContain('dog');
  });

  it('a configured list wins ([] keeps every class); a model with other labels keeps every class by default', () => {
    expect(keptLabels(['dog'], ['backpack'], COCO_LABELS)).toEqual(['dog']);
    expect(classMask(keptLabels([], ['backpack'], COCO_LABELS), COCO_LABELS, [0])).toBeNull();
    expect(classMask(keptLabels(undefined, ['backpack'], labelsFor(3)), labelsFor(3), [0])).toBeNull();
  });
});
