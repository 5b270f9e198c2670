import { countOutcomes, leaveOneOut, leaveOnePersonOut, scoreProbes, sweep, thresholdsByRule } from './evaluation';

const item = (label: string, file: string, v: number[]) => ({ label, file, embedding: Float32Array.from(v) });

describe('open-set face evaluation', () => {
  // a1/a2 close, b1/b2 close, a3 closer to b than to a (a rank-1 miss), c alone.
  const items = [
    item('a', 'a1', [1, 0, 0]),
    item('a', 'a2', [1, 0.1, 0]),
    item('b', 'b1', [0, 1, 0]),
    item('b', 'b2', [0.1, 1, 0]),
    item('a', 'a3', [0.2, 1, 0.1]),
    item('c', 'c1', [0, 0, 1]),
  ];

  it('scores probes against a gallery: people absent from it are strangers', () => {
    const cases = scoreProbes(items.filter((i) => i.file !== 'a2' && i.label !== 'c'), [items[1], items[5]], 'none');
    expect(cases).toEqual([
      expect.objectContaining({ file: 'a2', enrolled: true, top: 'a' }),
      expect.objectContaining({ file: 'c1', enrolled: false }),
    ]);
    expect(cases[0].similarity).toBeCloseTo(1 / Math.sqrt(1.01), 6);
    expect(cases[1].similarity).toBeCloseTo(0.1 / Math.sqrt(1.05), 6);
  });

  it('counts rank-1, wrong-person accepts, false rejects, undecided and stranger accepts at two thresholds', () => {
    const cases = leaveOneOut(items, 'none');
    expect(cases).toHaveLength(5); // c1 has no other image
    const counts = countOutcomes(cases, { upper: 0.95, lower: 0.5 });
    expect(counts).toEqual({ knownProbes: 5, rank1Correct: 4, wrongPersonAccepts: 1, strangerProbes: 0, strangerAccepts: 0, falseRejects: 0, undecided: 0 });
    // a1 vs a2: 0.995; a3 vs b2: 0.99. With upper 0.999 all are undecided.
    expect(countOutcomes(cases, { upper: 0.999, lower: 0.5 }).undecided).toBe(5);
    expect(countOutcomes(cases, { upper: 0.999, lower: 0.999 }).falseRejects).toBe(5);
  });

  it('leave-one-person-out makes each person a stranger once and scores the others as known', () => {
    const cases = leaveOnePersonOut(items, 'none');
    expect(cases.filter((c) => !c.enrolled).map((c) => c.file).sort()).toEqual(items.map((i) => i.file).sort());
    const counts = countOutcomes(cases, { upper: 0.9, lower: 0.9 });
    // a3 as a stranger passes for b; b1/b2 as strangers pass for a through a3.
    expect(counts.strangerAccepts).toBe(3);
    expect(sweep(cases, 0.9, 1, 0.05).map((r) => r.threshold)).toEqual([0.9, 0.95, 1]);
  });

  it('centering uses the gallery only and changes the scores', () => {
    const plain = scoreProbes(items.slice(0, 4), [items[4]], 'none')[0].similarity;
    const centered = scoreProbes(items.slice(0, 4), [items[4]], 'gallery')[0].similarity;
    expect(centered).not.toBeCloseTo(plain, 3);
  });

  it('derives thresholds by the rule: max stranger + margin up, min genuine - margin down, lower never above upper', () => {
    const cases = [
      { file: 's', label: 's', enrolled: false, top: 'a', similarity: 0.261 },
      { file: 'k1', label: 'a', enrolled: true, top: 'a', similarity: 0.3 },
      { file: 'k2', label: 'a', enrolled: true, top: 'a', similarity: 0.5 },
      { file: 'k3', label: 'a', enrolled: true, top: 'b', similarity: 0.1 },
    ];
    expect(thresholdsByRule(cases)).toEqual({ upper: 0.29, lower: 0.28 });
    expect(thresholdsByRule(cases, 0.05)).toEqual({ upper: 0.32, lower: 0.25 });
    expect(thresholdsByRule([{ ...cases[0], similarity: 0.6 }, cases[1]])).toEqual({ upper: 0.62, lower: 0.28 });
    expect(thresholdsByRule([{ ...cases[0], similarity: 0.6 }, { ...cases[1], similarity: 0.55 }])).toEqual({ upper: 0.62, lower: 0.53 });
    expect(thresholdsByRule(cases.filter((c) => c.enrolled))).toBeUndefined();
  });
});
