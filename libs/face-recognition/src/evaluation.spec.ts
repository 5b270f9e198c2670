import {
  TrackCase,
  countOutcomes,
  countTracks,
  knownTracks,
  leaveOneOut,
  leaveOnePersonOut,
  leaveOnePersonOutTracks,
  nestedTrackEstimate,
  scoreProbes,
  simulateTrack,
  strangerTracks,
  sweep,
  thresholdsByRule,
  trackEndRuleByData,
} from './evaluation';

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

  describe('track simulation', () => {
    const track = (label: string, enrolled: boolean, faces: Record<string, number>[]): TrackCase => ({
      label,
      enrolled,
      files: faces.map((_, i) => `${label}${i}`),
      faces: faces.map((f) => Object.entries(f).map(([l, similarity]) => ({ label: l, similarity })).sort((a, b) => b.similarity - a.similarity)),
    });
    const thresholds = { upper: 0.3, lower: 0.2 };
    const rule = { endThreshold: 0.22, minMargin: 0.07 };

    it('runs a track through the TrackBook: named, alerted while running, alerted at its end, or undecided', () => {
      // Undecided after the first face, named once the pool (mean 0.325) passes the upper threshold.
      expect(simulateTrack(track('a', true, [{ a: 0.25, b: 0.1 }, { a: 0.4, b: 0.1 }]), thresholds, rule, 3)).toEqual({ outcome: 'named', person: 'a' });
      expect(simulateTrack(track('a', true, [{ a: 0.45, b: 0.1 }]), thresholds, rule, 3)).toEqual({ outcome: 'named', person: 'a' });
      expect(simulateTrack(track('s', false, [{ a: 0.1, b: 0.05 }]), thresholds, rule, 3)).toEqual({ outcome: 'alerted' });
      expect(simulateTrack(track('s', false, [{ a: 0.25, b: 0.23 }, { a: 0.24, b: 0.22 }]), thresholds, rule, 3)).toEqual({ outcome: 'alerted-at-end' });
      expect(simulateTrack(track('s', false, [{ a: 0.25, b: 0.23 }]), thresholds, undefined, 3)).toEqual({ outcome: 'undecided' });
      expect(simulateTrack(track('s', false, [{ a: 0.28, b: 0.1 }]), thresholds, rule, 3)).toEqual({ outcome: 'undecided' });
    });

    it('counts strangers alerted (at end too), accepted, undecided, and enrolled people alerted', () => {
      const tracks = [
        track('s', false, [{ a: 0.25, b: 0.23 }]),
        track('s', false, [{ a: 0.1, b: 0.05 }]),
        track('s', false, [{ a: 0.35, b: 0.05 }]),
        track('a', true, [{ a: 0.25, b: 0.24 }]),
        track('a', true, [{ a: 0.5, b: 0.1 }]),
      ];
      expect(countTracks(tracks, thresholds, rule, 3)).toEqual({
        knownTracks: 2,
        knownNamedCorrectly: 1,
        knownNamedWrong: 0,
        knownAlerted: 1,
        knownAlertedAtEnd: 1,
        knownUndecided: 0,
        strangerTracks: 3,
        strangerAccepts: 1,
        strangerAlerted: 2,
        strangerAlertedAtEnd: 1,
        strangerUndecided: 0,
      });
      expect(countTracks(tracks, thresholds, undefined, 3)).toMatchObject({ knownAlerted: 0, knownUndecided: 1, strangerAlerted: 1, strangerUndecided: 1 });
    });

    it('derives the track-end rule from known tracks only: lowest pooled best and margin minus 0.02, within the thresholds', () => {
      const known = [track('a', true, [{ a: 0.26, b: 0.1 }]), track('a', true, [{ a: 0.5, b: 0.38 }]), track('a', true, [{ a: 0.1, b: 0.4 }])]; // the last is a rank-1 miss: ignored
      const strangers = [track('s', false, [{ a: 0.29, b: 0.289 }])];
      expect(trackEndRuleByData([...known, ...strangers], thresholds, 3)).toEqual({ endThreshold: 0.24, minMargin: 0.1 });
      expect(trackEndRuleByData([track('a', true, [{ a: 0.1, b: 0.05 }])], thresholds, 3)).toEqual({ endThreshold: 0.2, minMargin: 0.03 });
      expect(trackEndRuleByData(strangers, thresholds, 3)).toBeUndefined();
    });

    it('builds stranger tracks from every subset of a person\'s images and known tracks that leave enough enrolled', () => {
      const people = [
        item('a', 'a1', [1, 0, 0]),
        item('a', 'a2', [1, 0.1, 0]),
        item('a', 'a3', [1, 0.2, 0]),
        item('b', 'b1', [0, 1, 0]),
        item('b', 'b2', [0.1, 1, 0]),
        item('b', 'b3', [0.2, 1, 0]),
      ];
      const s = strangerTracks(people, 'a', 'none');
      expect(s.map((t) => t.files.join('+'))).toEqual(['a1', 'a1+a2', 'a1+a2+a3', 'a1+a3', 'a2', 'a2+a3', 'a3']);
      expect(s.every((t) => !t.enrolled && t.faces.every((f) => f.map((p) => p.label).join() === 'b'))).toBe(true);
      expect(knownTracks(people, 'a', 'none').map((t) => t.files.join('+'))).toEqual(['a1', 'a2', 'a3']);
      expect(knownTracks(people, 'a', 'none', 1).map((t) => t.files.join('+'))).toEqual(['a1', 'a1+a2', 'a1+a3', 'a2', 'a2+a3', 'a3']);
      expect(knownTracks(people, 'a', 'none')[0].faces[0][0]).toEqual({ label: 'a', similarity: expect.any(Number) });
      // Two folds: a stranger to b, b stranger to a; in each, the other's known tracks need 2 enrolled: 3 singles.
      const tracks = leaveOnePersonOutTracks(people, 'none');
      expect(tracks.filter((t) => !t.enrolled)).toHaveLength(14);
      expect(tracks.filter((t) => t.enrolled)).toHaveLength(6);
      // Nested fits need at least one stranger and one known person left: with two people there are none.
      expect(nestedTrackEstimate(people, 'none', 3).skipped).toBeGreaterThan(0);
    });
  });
});
