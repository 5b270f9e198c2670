import { QueueFullError, SerialQueue } from './serial-queue';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('SerialQueue', () => {
  it('runs tasks one at a time in order and survives a failing task', async () => {
    const queue = new SerialQueue(10);
    const log: string[] = [];
    const first = gate();
    const a = queue.run(async () => {
      log.push('a start');
      await first.opened;
      log.push('a end');
      return 'a';
    });
    const b = queue.run(async () => {
      log.push('b');
      throw new Error('b failed');
    });
    const c = queue.run(async () => {
      log.push('c');
      return 'c';
    });
    await Promise.resolve();
    expect(queue.depth).toBe(3);
    first.open();
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b failed');
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
    expect(queue.depth).toBe(0);
  });

  it('rejects tasks beyond its capacity while the running one is busy', async () => {
    const queue = new SerialQueue(1);
    const hold = gate();
    const running = queue.run(() => hold.opened);
    const waiting = queue.run(async () => 'second');
    await expect(queue.run(async () => 'third')).rejects.toBeInstanceOf(QueueFullError);
    hold.open();
    await running;
    await expect(waiting).resolves.toBe('second');
    await queue.idle();
  });
});
