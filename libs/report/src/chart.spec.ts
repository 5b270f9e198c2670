import { bandwidthSvg, formatKBps, logTicks } from './chart';

describe('bandwidth chart', () => {
  it('formats KB/s with about three significant digits', () => {
    expect(formatKBps(500_000)).toBe('500');
    expect(formatKBps(54_123)).toBe('54.1');
    expect(formatKBps(2_714)).toBe('2.71');
    expect(formatKBps(123)).toBe('0.12');
    expect(formatKBps(0)).toBe('0');
  });

  it('spans the values with decades', () => {
    expect(logTicks([769, 138, 2.7])).toEqual([1, 10, 100, 1000]);
    expect(logTicks([0.5, 0])).toEqual([0.1, 1]);
    expect(logTicks([])).toEqual([1, 10]);
  });

  it('draws one labelled bar per hop and group, with shares of raw, escaping names', () => {
    const svg = bandwidthSvg(
      [
        { name: 'paper formula', rates: { raw: 500_000, roofToFog: 250_000, fogToCloud: 80_000 } },
        { name: 'regions <measured>', rates: { raw: 769_000, roofToFog: 138_000, fogToCloud: 0 } },
      ],
      'Bandwidth & more',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Bandwidth &amp; more');
    expect(svg).toContain('regions &lt;measured&gt;');
    // Five bars: a zero rate gets a label but no bar.
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="56"/g)).toHaveLength(5);
    for (const label of ['>500<', '>250<', '>80.0<', '>50.0%<', '>16.0%<', '>769<', '>138<', '>17.9%<', '>0<', '>0.00%<']) expect(svg).toContain(label);
  });

  it('draws no bar and no label for a hop the group does not have (NaN)', () => {
    const svg = bandwidthSvg([{ name: "camera's own stream", rates: { raw: 760_000, roofToFog: 102_000, fogToCloud: Number.NaN } }], 't');
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="56"/g)).toHaveLength(2);
    expect(svg).toContain('>13.4%<');
    expect(svg).not.toContain('NaN');
  });
});
