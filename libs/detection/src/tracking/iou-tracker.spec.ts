import { IouTracker, predictBox } from './iou-tracker';

const person = (x: number, y = 0, score = 0.9) => ({ classId: 0, box: { x, y, width: 10, height: 20 }, score });

describe('IouTracker', () => {
  const options = { iouThreshold: 0.3, maxIdleMs: 1000, maxTracks: 100 };

  it('keeps ids for boxes that move a little and starts tracks for new ones', () => {
    const tracker = new IouTracker(options);
    const first = tracker.update([person(0), person(100)], 0);
    expect(first.started.map((t) => t.id)).toEqual([1, 2]);
    // Moved by 2 px: IoU 8*20 / (400 - 160) = 0.667.
    const second = tracker.update([person(102), person(2), person(300)], 100);
    expect(second.assigned.map((t) => t.id)).toEqual([2, 1, 3]);
    expect(second.started.map((t) => t.id)).toEqual([3]);
    expect(second.assigned[1].hits).toBe(2);
    expect(second.assigned[1].box.x).toBe(2);
  });

  it('gives a contested track to the best overlap and never matches across classes', () => {
    const tracker = new IouTracker(options);
    tracker.update([person(0)], 0);
    const next = tracker.update([person(5), person(1), { ...person(0), classId: 24 }], 100);
    // person(1) overlaps track 1 most (IoU 0.818 vs 0.333): it continues; person(5) and the bag start tracks.
    expect(next.assigned.map((t) => t.id)).toEqual([2, 1, 3]);
  });

  it('ends tracks idle for longer than maxIdleMs and does not reuse ids', () => {
    const tracker = new IouTracker(options);
    tracker.update([person(0)], 0);
    expect(tracker.update([], 1000).ended).toEqual([]);
    const later = tracker.update([person(0)], 1001);
    expect(later.ended.map((t) => t.id)).toEqual([1]);
    expect(later.started.map((t) => t.id)).toEqual([2]);
  });

  it('evicts the oldest tracks beyond maxTracks', () => {
    const tracker = new IouTracker({ ...options, maxTracks: 2 });
    tracker.update([person(0)], 0);
    tracker.update([person(0), person(100)], 10);
    const update = tracker.update([person(0), person(100), person(200)], 20);
    expect(update.ended).toHaveLength(1);
    expect(tracker.active).toHaveLength(2);
  });

  it('predicts moving boxes so a walker keeps the track across skipped frames', () => {
    const tracker = new IouTracker(options);
    tracker.update([person(0)], 0);
    tracker.update([person(4)], 100); // 4 px per 100 ms
    // 500 ms later (frames skipped) the person is at x = 24: IoU with the last box (x = 4) is 0, with the prediction (x = 24) 1.
    const later = tracker.update([person(24)], 600);
    expect(later.started).toEqual([]);
    expect(later.assigned[0].id).toBe(1);
    expect(later.assigned[0].vx).toBeCloseTo(0.5 * 0.04 + 0.5 * 0.04, 9);
    expect(predictBox(later.assigned[0], 700).x).toBeCloseTo(28, 9);
    // Without motion history a jump that far starts a new track.
    const fresh = new IouTracker(options);
    fresh.update([person(0)], 0);
    expect(fresh.update([person(20)], 500).started).toHaveLength(1);
  });
});


describe('IouTracker ending tracks when the person changes', () => {
  const options = { iouThreshold: 0.3, maxIdleMs: 1000, maxTracks: 10 };
  const person = { classId: 0, score: 0.9, box: { x: 0, y: 0, width: 10, height: 20 } };

  it('endAll ends every track; the next detection starts a new track with a new id', () => {
    const tracker = new IouTracker(options);
    const first = tracker.update([person], 0).assigned[0];
    expect(tracker.endAll().map((t) => t.id)).toEqual([first.id]);
    expect(tracker.active).toEqual([]);
    const next = tracker.update([person], 100);
    expect(next.started[0].id).toBe(first.id + 1);
  });

  it('restart puts a new track where the old one was, and the old id is gone', () => {
    const tracker = new IouTracker(options);
    const first = tracker.update([person], 0).assigned[0];
    const next = tracker.restart(first.id, 50)!;
    expect(next).toMatchObject({ classId: 0, box: person.box, hits: 1, firstSeenAt: 50 });
    expect(tracker.active.map((t) => t.id)).toEqual([next.id]);
    expect(tracker.update([person], 100).assigned[0].id).toBe(next.id);
    expect(tracker.restart(999, 0)).toBeUndefined();
  });
});
