import { mergeStages, stageRows } from './latency';

const s = (p50: number) => ({ count: 1, p50, p95: p50, p99: p50, mean: p50, max: p50 });

describe('stage tables', () => {
  it('orders stages as a frame meets them and appends unknown ones by name', () => {
    const rows = stageRows({ 'end-to-end': s(9), zeta: s(1), inference: s(5), decode: s(2), alpha: s(3) });
    expect(rows.map((r) => r.stage)).toEqual(['decode', 'inference', 'end-to-end', 'alpha', 'zeta']);
    expect(rows[1]).toMatchObject({ tier: 'fog', p50: 5, count: 1 });
  });

  it('keeps a stage recorded by two processes apart instead of merging percentiles', () => {
    expect(Object.keys(mergeStages({ roof: { decode: s(1), encode: s(2) }, fog: { decode: s(3), inference: s(4) } })).sort()).toEqual(['decode@fog', 'decode@roof', 'encode', 'inference']);
  });
});
