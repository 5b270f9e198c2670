import { CadenceOptions, CameraCadence, coveredShare, decideCadence } from './cadence';

const options: CadenceOptions = { maxInterval: 3, minCoverage: 0.8, margin: 0.25, marginPx: 0, maxStepShare: 0.2, maxIntervalWhenBehind: 4 };
const person = { x: 100, y: 100, width: 40, height: 100 };
const regions = (...rs: { x: number; y: number; width: number; height: number }[]) => ({ kind: 'regions' as const, changeScore: 0.02, width: 640, height: 480, regions: rs });
const inStep = { framesSinceDetection: 0, canvasInStep: true, tracks: [{ box: person, step: 2 }] };

describe('coveredShare', () => {
  it('is the share of a region inside the union of boxes', () => {
    expect(coveredShare({ x: 0, y: 0, width: 10, height: 10 }, [{ x: 0, y: 0, width: 10, height: 10 }])).toBe(1);
    expect(coveredShare({ x: 0, y: 0, width: 10, height: 10 }, [{ x: 0, y: 0, width: 5, height: 10 }])).toBe(0.5);
    expect(coveredShare({ x: 0, y: 0, width: 10, height: 10 }, [{ x: 0, y: 0, width: 5, height: 10 }, { x: 5, y: 0, width: 5, height: 10 }])).toBe(1);
    expect(coveredShare({ x: 0, y: 0, width: 10, height: 10 }, [])).toBe(0);
  });
});

describe('decideCadence', () => {
  it('detects every frame with maxInterval 1', () => {
    expect(decideCadence(regions(person), inStep, { ...options, maxInterval: 1 })).toEqual({ detect: true, why: 'every-frame' });
  });
  it('coasts when every changed region lies on a tracked object that moves slowly', () => {
    expect(decideCadence(regions({ x: 95, y: 110, width: 45, height: 80 }), inStep, options)).toEqual({ detect: false });
  });
  it('detects when a change lies away from every track (something new)', () => {
    expect(decideCadence(regions({ x: 95, y: 110, width: 45, height: 80 }, { x: 400, y: 300, width: 30, height: 60 }), inStep, options)).toEqual({ detect: true, why: 'unexplained-change' });
  });
  it('detects when the interval is up, on heartbeats, out of step, without tracks, and on fast motion', () => {
    const r = regions({ x: 100, y: 110, width: 40, height: 80 });
    expect(decideCadence(r, { ...inStep, framesSinceDetection: 2 }, options)).toEqual({ detect: true, why: 'interval' });
    expect(decideCadence({ ...r, heartbeat: true }, inStep, options)).toEqual({ detect: true, why: 'heartbeat' });
    expect(decideCadence(r, { ...inStep, canvasInStep: false }, options)).toEqual({ detect: true, why: 'no-canvas' });
    expect(decideCadence(r, { ...inStep, tracks: [] }, options)).toEqual({ detect: true, why: 'no-tracks' });
    expect(decideCadence(r, { ...inStep, tracks: [{ box: person, step: 12 }] }, options)).toEqual({ detect: true, why: 'fast-motion' });
  });
  it('behind its source, a camera coasts between detector runs maxIntervalWhenBehind apart, whatever changed', () => {
    const newcomer = regions({ x: 400, y: 300, width: 30, height: 60 });
    const behind = { ...inStep, behind: true };
    // Without the backlog this change (away from every track) runs the detector; behind, it coasts.
    expect(decideCadence(newcomer, inStep, options)).toEqual({ detect: true, why: 'unexplained-change' });
    expect(decideCadence(newcomer, behind, options)).toEqual({ detect: false, behind: true });
    expect(decideCadence({ ...newcomer, heartbeat: true }, { ...behind, tracks: [], canvasInStep: false }, options)).toEqual({ detect: false, behind: true });
    expect(decideCadence(newcomer, { ...behind, framesSinceDetection: 3 }, options)).toEqual({ detect: true, why: 'interval' });
    // Every-frame detection when in step still thins out when behind; 1 turns the rule off.
    expect(decideCadence(newcomer, behind, { ...options, maxInterval: 1 })).toEqual({ detect: false, behind: true });
    expect(decideCadence(newcomer, behind, { ...options, maxInterval: 1, maxIntervalWhenBehind: 1 })).toEqual({ detect: true, why: 'every-frame' });
    // The longer of the two intervals holds.
    expect(decideCadence(newcomer, { ...behind, framesSinceDetection: 3 }, { ...options, maxInterval: 6 })).toEqual({ detect: false, behind: true });
  });
  it('coasts a still scene without tracks (nothing changed), detects a whole frame whose change exceeds what the tracks cover', () => {
    expect(decideCadence(regions(), { ...inStep, tracks: [] }, options)).toEqual({ detect: false });
    const whole = { kind: 'frame' as const, width: 640, height: 480 };
    expect(decideCadence({ ...whole, changeScore: 0.01 }, inStep, options)).toEqual({ detect: false });
    expect(decideCadence({ ...whole, changeScore: 0.5 }, inStep, options)).toEqual({ detect: true, why: 'unexplained-change' });
  });
});

describe('CameraCadence', () => {
  it('coasts at most maxInterval-1 frames in a row, predicting boxes from the tracks velocity', () => {
    const cadence = new CameraCadence(options);
    const track = { classId: 0, score: 0.9, box: person, lastSeenAt: 0, vx: 0.01, vy: 0 };
    const change = regions({ x: 100, y: 110, width: 40, height: 80 });
    expect(cadence.decide(change, 0, true, [track]).decision.detect).toBe(true);
    const second = cadence.decide(change, 100, true, [track]);
    expect(second.decision.detect).toBe(false);
    expect(second.coasted).toEqual([{ classId: 0, score: 0.9, box: { ...person, x: 101 } }]);
    expect(cadence.decide(change, 200, true, [{ ...track, lastSeenAt: 100, box: second.coasted[0].box }]).decision.detect).toBe(false);
    expect(cadence.decide(change, 300, true, [{ ...track, lastSeenAt: 200 }]).decision).toEqual({ detect: true, why: 'interval' });
  });
  it('does not coast tracks the last detector run did not see', () => {
    const cadence = new CameraCadence(options);
    const stale = { classId: 0, score: 0.9, box: person, lastSeenAt: -500, vx: 0, vy: 0 };
    cadence.decide(regions(), 0, true, []);
    expect(cadence.decide(regions(), 100, true, [stale]).coasted).toEqual([]);
  });
});
