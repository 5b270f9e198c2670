import { evaluate, pairRates, strangerAcceptRate, thresholdForFalseAccept } from './evaluation';

const item = (label: string, file: string, v: number[]) => ({ label, file, embedding: Float32Array.from(v) });

describe('face evaluation', () => {
  // a1/a2 close, b1/b2 close, a3 closer to b than to a (a rank-1 miss).
  const items = [
    item('a', 'a1', [1, 0, 0]),
    item('a', 'a2', [1, 0.1, 0]),
    item('b', 'b1', [0, 1, 0]),
    item('b', 'b2', [0.1, 1, 0]),
    item('a', 'a3', [0.2, 1, 0.1]),
    item('c', 'c1', [0, 0, 1]),
  ];

  it('computes leave-one-out rank-1 over people with another image', () => {
    const report = evaluate(items);
    expect(report.people).toBe(3);
    expect(report.rank1.total).toBe(5); // c1 has no other image
    expect(report.rank1.correct).toBe(4);
    expect(report.rank1.misses).toEqual([expect.objectContaining({ file: 'a3', expected: 'a', got: 'b' })]);
    expect(report.samePairs).toHaveLength(3 + 1);
    expect(report.differentPairs).toHaveLength(15 - 4);
  });

  it('computes false accept and false reject rates at a threshold', () => {
    const report = { samePairs: [0.4, 0.6, 0.8, 0.9], differentPairs: [0.1, 0.2, 0.5, 0.7] };
    expect(pairRates(report, 0.5)).toEqual({ threshold: 0.5, falseAcceptRate: 0.5, falseRejectRate: 0.25 });
    expect(pairRates(report, 0.75)).toEqual({ threshold: 0.75, falseAcceptRate: 0, falseRejectRate: 0.5 });
    expect(thresholdForFalseAccept(report, 0.25)).toBeCloseTo(0.505, 6);
  });

  it('measures how often a stranger would pass for somebody', () => {
    // At 0.9: a3 passes for b, and b1/b2 pass for a (through a3); a1, a2 and c1 do not.
    const rate = strangerAcceptRate(items, 0.9);
    expect(rate).toBeCloseTo(3 / 6, 6);
    expect(strangerAcceptRate(items, 0.999)).toBe(0);
  });
});
