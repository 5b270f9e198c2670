import { clipToRegion, plausibleFace } from './face-finder';

describe('clipToRegion', () => {
  const person = { x: 100, y: 100, width: 50, height: 120 };
  it('keeps a face inside the person, trims one sticking out a little, drops one mostly outside', () => {
    expect(clipToRegion({ x: 110, y: 105, width: 20, height: 20 }, person)).toEqual({ x: 110, y: 105, width: 20, height: 20 });
    expect(clipToRegion({ x: 140, y: 105, width: 20, height: 20 }, person)).toEqual({ x: 140, y: 105, width: 10, height: 20 });
    expect(clipToRegion({ x: 145, y: 105, width: 20, height: 20 }, person)).toBeNull();
    expect(clipToRegion({ x: 0, y: 0, width: 20, height: 20 }, person)).toBeNull();
  });
});

describe('plausibleFace', () => {
  const person = { x: 0, y: 0, width: 40, height: 100 };
  it('accepts faces in the upper half up to half the person height, rejects the rest', () => {
    expect(plausibleFace({ x: 10, y: 5, width: 14, height: 14 }, person)).toBe(true);
    expect(plausibleFace({ x: 0, y: 0, width: 40, height: 50 }, person)).toBe(true);
    expect(plausibleFace({ x: 0, y: 0, width: 40, height: 54 }, person)).toBe(false);
    expect(plausibleFace({ x: 10, y: 60, width: 14, height: 14 }, person)).toBe(false);
  });
});

describe('plausibleFace on a close-up', () => {
  it('lets a face fill a head-and-shoulders or head-only person box, but not sit at its bottom', () => {
    const head = { x: 0, y: 0, width: 200, height: 220 };
    expect(plausibleFace({ x: 20, y: 20, width: 170, height: 180 }, head)).toBe(true);
    expect(plausibleFace({ x: 20, y: 150, width: 60, height: 60 }, head)).toBe(false);
    expect(plausibleFace({ x: 0, y: 0, width: 200, height: 230 }, head)).toBe(false);
    // A standing person (narrow box) keeps the bust rule.
    expect(plausibleFace({ x: 0, y: 0, width: 40, height: 60 }, { x: 0, y: 0, width: 40, height: 100 })).toBe(false);
  });
});
