import { decadeBounds, linePath, logScale } from './chart';
import { formatBytes, formatPercent, formatRate } from './format';

describe('SVG chart and formats', () => {
  it('log scale: one decade per equal step, values under the floor on the bottom', () => {
    const y = logScale(100, 100_000, 300);
    expect([y(100), y(1_000), y(10_000), y(100_000), y(1)]).toEqual([300, 200, 100, 0, 300]);
  });

  it('decade bounds hold every value', () => {
    expect(decadeBounds([150, 42_000, undefined])).toEqual({ min: 100, max: 100_000 });
    expect(decadeBounds([])).toEqual({ min: 100, max: 1_000 });
  });

  it('draws newest samples at the right edge and breaks the line on unknown values', () => {
    const y = (v: number) => 100 - v;
    expect(linePath([10, 20], 3, 200, y)).toBe('M100.0,90.0L200.0,80.0');
    expect(linePath([10, undefined, 30], 3, 200, y)).toBe('M0.0,90.0M200.0,70.0');
  });

  it('formats bytes, rates and shares', () => {
    expect([formatBytes(999), formatBytes(1_500), formatBytes(21_300_000)]).toEqual(['999 B', '1.5 KB', '21.3 MB']);
    expect(formatRate(2_000)).toBe('2.0 KB/s');
    expect([formatPercent(0.213), formatPercent(0.0014), formatPercent(undefined)]).toEqual(['21.3 %', '0.14 %', '–']);
  });
});
