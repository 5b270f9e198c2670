import { BoundedLabels } from './bounded-label';

describe('BoundedLabels', () => {
  it('keeps the first `max` values and folds the rest and odd ones into other', () => {
    const labels = new BoundedLabels(2);
    expect(['person', 'car', 'person', 'bicycle', 'car'].map((v) => labels.of(v))).toEqual(['person', 'car', 'person', 'other', 'car']);
    expect(new BoundedLabels(5).of('bad"label{')).toBe('other');
  });
});
