import { clipToRegion } from './face-finder';

describe('clipToRegion', () => {
  const person = { x: 100, y: 100, width: 50, height: 120 };
  it('keeps a face inside the person, trims one sticking out a little, drops one mostly outside', () => {
    expect(clipToRegion({ x: 110, y: 105, width: 20, height: 20 }, person)).toEqual({ x: 110, y: 105, width: 20, height: 20 });
    expect(clipToRegion({ x: 140, y: 105, width: 20, height: 20 }, person)).toEqual({ x: 140, y: 105, width: 10, height: 20 });
    expect(clipToRegion({ x: 145, y: 105, width: 20, height: 20 }, person)).toBeNull();
    expect(clipToRegion({ x: 0, y: 0, width: 20, height: 20 }, person)).toBeNull();
  });
});
