import { CooldownTracker } from './cooldown-tracker';

describe('CooldownTracker', () => {
  const alert = (id: string, kind: string, at: number) => ({ id, cameraId: 'c', kind, at });

  it('never suppresses exempt kinds and only remembers what was applied', () => {
    const tracker = new CooldownTracker(10_000, ['camera-down']);
    const notified = (a: ReturnType<typeof alert>, apply = true) => {
      const decision = tracker.decide(a);
      if (apply) tracker.apply(decision);
      return decision.notify;
    };
    expect([notified(alert('d1', 'camera-down', 0)), notified(alert('d2', 'camera-down', 1))]).toEqual([true, true]);
    expect(notified(alert('i1', 'intruder', 0), false)).toBe(true); // not applied (e.g. the write failed)
    expect([notified(alert('i2', 'intruder', 1)), notified(alert('i3', 'intruder', 2))]).toEqual([true, false]);
  });
});
