import { SURVEILLANCE_CLASSES } from '@sentinel/config';
import { COCO_LABELS } from './labels';
import { classMask } from './yolo-detector';

describe('classMask', () => {
  it('keeps the surveillance defaults of a COCO model and drops the rest', () => {
    const mask = classMask([...SURVEILLANCE_CLASSES], COCO_LABELS, [0])!;
    const kept = COCO_LABELS.filter((_, i) => mask[i] === 1);
    expect(kept).toEqual(COCO_LABELS.filter((label) => (SURVEILLANCE_CLASSES as readonly string[]).includes(label)));
    expect(kept).not.toContain('bird');
  });
  it('keeps every class of a non-COCO model under the default list, but refuses unknown labels the user asked for', () => {
    const own = ['class-0', 'class-1'];
    expect(classMask([...SURVEILLANCE_CLASSES], own, [0])).toBeNull();
    expect(() => classMask(['person', 'unicorn'], COCO_LABELS, [0])).toThrow(/unknown labels unicorn/);
  });
  it('keeps person whatever the list says, and everything with an empty list', () => {
    expect(classMask(['car'], COCO_LABELS, [0])![0]).toBe(1);
    expect(classMask([], COCO_LABELS, [0])).toBeNull();
  });
});
