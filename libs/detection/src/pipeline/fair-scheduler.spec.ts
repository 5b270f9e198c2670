import { FairScheduler, QueueFullError } from './fair-scheduler';

/** A task that finishes when the test says so, recording when it started. */
function gate(log: string[], name: string): { task: () => Promise<string>; open: () => void } {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return {
    task: async () => {
      log.push(name);
      await done;
      return name;
    },
    open: () => open(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FairScheduler', () => {
  it('serves cameras in turn: a busy camera cannot starve a quiet one', async () => {
    const scheduler = new FairScheduler(10, 1);
    const started: string[] = [];
    const results: Promise<unknown>[] = [];
    // Camera a queues 4 frames before b's single frame arrives.
    for (let i = 0; i < 4; i++) results.push(scheduler.run('a', async () => started.push(`a${i}`)));
    results.push(scheduler.run('b', async () => started.push('b0')));
    await Promise.all(results);
    expect(started).toEqual(['a0', 'b0', 'a1', 'a2', 'a3']);
  });

  it('drops the oldest waiting frame of a full camera queue, counted for that camera only', async () => {
    const scheduler = new FairScheduler(2, 1);
    const log: string[] = [];
    const first = gate(log, 'a0');
    const running = scheduler.run('a', first.task);
    const waiting = [1, 2, 3].map((i) => scheduler.run('a', async () => `a${i}`));
    const other = scheduler.run('b', async () => 'b0');
    await expect(waiting[0]).rejects.toBeInstanceOf(QueueFullError);
    first.open();
    expect(await running).toBe('a0');
    expect(await waiting[1]).toBe('a2');
    expect(await waiting[2]).toBe('a3');
    expect(await other).toBe('b0');
    expect(scheduler.stats().get('a')).toEqual({ processed: 3, dropped: 1, waiting: 0 });
    expect(scheduler.stats().get('b')).toEqual({ processed: 1, dropped: 0, waiting: 0 });
  });

  it('runs different cameras concurrently up to the limit, one camera never twice at once', async () => {
    const scheduler = new FairScheduler(10, 2);
    const log: string[] = [];
    const a0 = gate(log, 'a0');
    const a1 = gate(log, 'a1');
    const b0 = gate(log, 'b0');
    const c0 = gate(log, 'c0');
    const all = [scheduler.run('a', a0.task), scheduler.run('a', a1.task), scheduler.run('b', b0.task), scheduler.run('c', c0.task)];
    await tick();
    expect(log).toEqual(['a0', 'b0']);
    // Frames waiting per camera: a's behind its running one, c's for a free slot; b has none.
    expect([scheduler.waitingOf('a'), scheduler.waitingOf('b'), scheduler.waitingOf('c'), scheduler.waitingOf('nobody')]).toEqual([1, 0, 1, 0]);
    b0.open();
    await tick();
    expect(log).toEqual(['a0', 'b0', 'c0']);
    a0.open();
    await tick();
    expect(log).toEqual(['a0', 'b0', 'c0', 'a1']);
    c0.open();
    a1.open();
    expect(await Promise.all(all)).toEqual(['a0', 'a1', 'b0', 'c0']);
  });

  it('keeps going after a failing task and reports idle when all is done', async () => {
    const scheduler = new FairScheduler(4, 1);
    const failing = scheduler.run('a', async () => {
      throw new Error('boom');
    });
    const next = scheduler.run('a', async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('ok');
    await scheduler.idle();
    expect(scheduler.depth).toBe(0);
  });

  it('a task that throws synchronously fails alone', async () => {
    const scheduler = new FairScheduler(4, 1);
    const bad = scheduler.run('a', (() => {
      throw new Error('sync');
    }) as unknown as () => Promise<void>);
    await expect(bad).rejects.toThrow('sync');
    expect(await scheduler.run('a', async () => 1)).toBe(1);
  });
});
