/** Thrown for a frame pushed out of its camera's full queue: the caller counts a drop. */
export class QueueFullError extends Error {
  constructor(capacity: number) {
    super(`fog queue full (${capacity} frames of this camera waiting): oldest frame dropped`);
    this.name = 'QueueFullError';
  }
}

/** Per-camera figures of the scheduler: what ran, what waited, what was dropped to make room. */
export interface CameraQueueStats {
  processed: number;
  /** Frames dropped because the camera's queue was full (the oldest waiting one goes). */
  dropped: number;
  waiting: number;
}

interface Waiting {
  start: () => void;
  drop: (error: Error) => void;
}

interface CameraQueue {
  waiting: Waiting[];
  running: boolean;
  processed: number;
  dropped: number;
  /** When this camera last got the detector (dispatch count); -1: never. */
  lastServed: number;
}

/**
 * Runs frames of many cameras on a shared detector, fairly:
 * - frames of one camera run one at a time and in order (tracks need frame order);
 * - up to `concurrency` frames of different cameras run at once;
 * - the next frame comes from the next camera in turn that has one waiting (round-robin), so a busy
 *   camera cannot starve a quiet one;
 * - each camera waits with at most `perCamera` frames; a frame arriving at a full queue pushes out that
 *   camera's oldest waiting frame (which fails with QueueFullError and is counted): under saturation
 *   every camera keeps its freshest frames and its latency stays bounded by its own queue.
 */
export class FairScheduler {
  private readonly cameras = new Map<string, CameraQueue>();
  private dispatched = 0;
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly perCamera: number,
    private readonly concurrency = 1,
  ) {
    if (perCamera < 1 || concurrency < 1) throw new Error('FairScheduler needs perCamera >= 1 and concurrency >= 1');
  }

  /** Frames waiting plus running, over all cameras. */
  get depth(): number {
    let waiting = 0;
    for (const queue of this.cameras.values()) waiting += queue.waiting.length;
    return waiting + this.running;
  }

  /** Frames of this camera waiting behind the one it is running: it is falling behind its source. */
  waitingOf(cameraId: string): number {
    return this.cameras.get(cameraId)?.waiting.length ?? 0;
  }

  /** Some camera has a full queue: its next frame pushes one out. */
  get saturated(): boolean {
    for (const queue of this.cameras.values()) if (queue.waiting.length >= this.perCamera) return true;
    return false;
  }

  stats(): Map<string, CameraQueueStats> {
    const out = new Map<string, CameraQueueStats>();
    for (const [id, q] of this.cameras) out.set(id, { processed: q.processed, dropped: q.dropped, waiting: q.waiting.length });
    return out;
  }

  /** Runs `task` for `cameraId` in its turn; rejects with QueueFullError when pushed out of a full queue. */
  run<T>(cameraId: string, task: () => Promise<T>): Promise<T> {
    const queue = this.queueOf(cameraId);
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        queue.running = true;
        this.running++;
        let work: Promise<T>;
        try {
          work = task();
        } catch (error) {
          work = Promise.reject(error);
        }
        work.then(resolve, reject).finally(() => {
          queue.running = false;
          queue.processed++;
          this.running--;
          this.dispatch();
        });
      };
      if (queue.waiting.length >= this.perCamera) {
        const oldest = queue.waiting.shift()!;
        queue.dropped++;
        oldest.drop(new QueueFullError(this.perCamera));
      }
      queue.waiting.push({ start, drop: reject });
      this.dispatch();
    });
  }

  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private queueOf(cameraId: string): CameraQueue {
    let queue = this.cameras.get(cameraId);
    if (!queue) {
      queue = { waiting: [], running: false, processed: 0, dropped: 0, lastServed: -1 };
      this.cameras.set(cameraId, queue);
    }
    return queue;
  }

  /** Starts frames while a slot is free, taking cameras in turn. */
  private dispatch(): void {
    while (this.running < this.concurrency) {
      const next = this.nextCamera();
      if (!next) break;
      next.waiting.shift()!.start();
    }
    if (this.depth === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Of the cameras with a frame waiting and none running, the one served longest ago (first come on ties). */
  private nextCamera(): CameraQueue | undefined {
    let next: CameraQueue | undefined;
    for (const queue of this.cameras.values()) {
      if (queue.running || queue.waiting.length === 0) continue;
      if (!next || queue.lastServed < next.lastServed) next = queue;
    }
    if (next) next.lastServed = this.dispatched++;
    return next;
  }
}
