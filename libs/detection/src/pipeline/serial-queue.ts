/** Thrown when a bounded queue has no room: the caller counts a drop. */
export class QueueFullError extends Error {
  constructor(capacity: number) {
    super(`fog queue full (${capacity} frames waiting): frame dropped`);
    this.name = 'QueueFullError';
  }
}

/**
 * Runs tasks one at a time in arrival order; at most `capacity` tasks wait behind the running one.
 * A task's failure is its caller's: the queue keeps going.
 */
export class SerialQueue {
  private running = false;
  private readonly waiting: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  /** Tasks waiting plus the one running. */
  get depth(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running && this.waiting.length >= this.capacity) return Promise.reject(new QueueFullError(this.capacity));
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running = true;
        let work: Promise<T>;
        try {
          work = task();
        } catch (error) {
          work = Promise.reject(error);
        }
        work.then(resolve, reject).finally(() => this.next());
      };
      if (this.running) this.waiting.push(start);
      else start();
    });
  }

  /** Resolves when everything queued so far has finished. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private next(): void {
    this.running = false;
    const start = this.waiting.shift();
    if (start) {
      start();
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
