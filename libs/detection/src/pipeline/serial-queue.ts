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
  private tail: Promise<unknown> = Promise.resolve();
  private waitingCount = 0;
  private runningCount = 0;

  constructor(private readonly capacity: number) {}

  /** Tasks waiting plus the one running. */
  get depth(): number {
    return this.waitingCount + this.runningCount;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.waitingCount >= this.capacity) return Promise.reject(new QueueFullError(this.capacity));
    this.waitingCount++;
    const result = this.tail.then(async () => {
      this.waitingCount--;
      this.runningCount++;
      try {
        return await task();
      } finally {
        this.runningCount--;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
