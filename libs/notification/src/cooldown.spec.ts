import { CooldownEntry, CooldownSubject, cooldownKey, decideCooldown, pruneCooldown } from './cooldown';

/** Runs a scripted sequence through the cooldown and returns the ids that were notified. */
function run(script: Array<Omit<CooldownSubject, 'id'> & { id?: string }>, windowMs: number): { notified: string[]; groups: Record<string, string> } {
  const state = new Map<string, CooldownEntry>();
  const notified: string[] = [];
  const groups: Record<string, string> = {};
  script.forEach((step, index) => {
    const alert = { ...step, id: step.id ?? `a${index}` };
    const decision = decideCooldown(state, alert, windowMs);
    state.set(decision.key, decision.entry);
    groups[alert.id] = decision.groupId;
    if (decision.notify) notified.push(alert.id);
  });
  return { notified, groups };
}

describe('cooldown', () => {
  it('notifies once per (camera, kind, subject) per window, measured from the last notification', () => {
    const { notified, groups } = run(
      [
        { id: 'p1', cameraId: 'c1', kind: 'intruder', subject: 'unknown-1', at: 0 },
        { id: 'p2', cameraId: 'c1', kind: 'intruder', subject: 'unknown-1', at: 1_000 }, // same person: suppressed
        { id: 'q1', cameraId: 'c1', kind: 'intruder', subject: 'unknown-2', at: 2_000 }, // another person
        { id: 'r1', cameraId: 'c2', kind: 'intruder', subject: 'unknown-1', at: 3_000 }, // another camera
        { id: 's1', cameraId: 'c1', kind: 'suspicious-object', subject: 'unknown-1', at: 4_000 }, // another kind
        { id: 'p3', cameraId: 'c1', kind: 'intruder', subject: 'unknown-1', at: 9_999 }, // 9.999 s after p1: suppressed
        { id: 'p4', cameraId: 'c1', kind: 'intruder', subject: 'unknown-1', at: 10_000 }, // window over: notified
        { id: 'p5', cameraId: 'c1', kind: 'intruder', subject: 'unknown-1', at: 15_000 }, // 5 s after p4: suppressed
        { id: 'p6', cameraId: 'c1', kind: 'intruder', subject: 'unknown-1', at: 8_000 }, // late arrival: suppressed
      ],
      10_000,
    );
    expect(notified).toEqual(['p1', 'q1', 'r1', 's1', 'p4']);
    expect(groups).toMatchObject({ p2: 'p1', p3: 'p1', p5: 'p4', p6: 'p4' });
  });

  it('groups by track when there is no subject, and per camera+kind when there is neither', () => {
    const { notified } = run(
      [
        { id: 't1', cameraId: 'c1', kind: 'suspicious-object', trackId: 7, at: 0 },
        { id: 't2', cameraId: 'c1', kind: 'suspicious-object', trackId: 7, at: 100 },
        { id: 't3', cameraId: 'c1', kind: 'suspicious-object', trackId: 8, at: 200 },
        { id: 'd1', cameraId: 'c1', kind: 'camera-down', at: 300 },
        { id: 'd2', cameraId: 'c1', kind: 'camera-down', at: 400 },
        { id: 'u1', cameraId: 'c1', kind: 'camera-up', at: 500 },
      ],
      1_000,
    );
    expect(notified).toEqual(['t1', 't3', 'd1', 'u1']);
  });

  it('notifies everything with a window of 0', () => {
    const script = [0, 1, 2].map((at) => ({ cameraId: 'c', kind: 'intruder', subject: 'x', at }));
    expect(run(script, 0).notified).toEqual(['a0', 'a1', 'a2']);
  });

  it('keeps subject and track keys apart even when they look alike', () => {
    expect(cooldownKey({ cameraId: 'c', kind: 'k', subject: '7' })).not.toBe(cooldownKey({ cameraId: 'c', kind: 'k', trackId: 7 }));
    expect(cooldownKey({ cameraId: 'c', kind: 'k', subject: '' })).toBe(cooldownKey({ cameraId: 'c', kind: 'k' }));
  });

  it('prunes groups whose window is over', () => {
    const state = new Map<string, CooldownEntry>([
      ['old', { notifiedAt: 0, groupId: 'a' }],
      ['fresh', { notifiedAt: 5_000, groupId: 'b' }],
    ]);
    expect(pruneCooldown(state, 10_000, 10_000)).toBe(1);
    expect([...state.keys()]).toEqual(['fresh']);
  });
});
