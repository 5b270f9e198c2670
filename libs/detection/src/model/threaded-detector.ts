import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RgbImage } from '../image/decode-image';
import { Yuv420Image } from '../image/yuv420-image';
import { Candidate } from '../postprocess/decode-outputs';
import { ImagePlacement } from '../postprocess/postprocess';
import type { DetectorReply, DetectorRequest, DetectorWorkerData, WorkerImage } from './detector-worker-protocol';
import { ObjectDetector, StageSink } from './object-detector';
import { ModelBootError, YoloDetectorOptions } from './yolo-detector';

const WORKER_FILE = 'detector-worker.js';
const CLOSE_TIMEOUT_MS = 5000;

/**
 * The compiled worker entry: next to this file in `dist/`, or, when this file runs from TypeScript
 * sources (Jest), the one `npm run build` wrote to `dist/`.
 */
export function detectorWorkerScript(here = __dirname): string | undefined {
  const sibling = join(here, WORKER_FILE);
  if (existsSync(sibling)) return sibling;
  const built = resolve(here, '../../../..', 'dist/libs/detection/src/model', WORKER_FILE);
  return existsSync(built) ? built : undefined;
}

interface Pending {
  resolve: (candidates: Candidate[]) => void;
  reject: (error: Error) => void;
  stages: StageSink;
}

/** One worker thread with its own session; `busy` while a request is in it. */
class DetectorThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    readonly labels: readonly string[],
    readonly description: string,
    readonly inputSide: number,
    private readonly onDeath: (thread: DetectorThread, reason: string) => void,
  ) {
    worker.on('message', (reply: DetectorReply) => this.settle(reply));
    worker.on('error', (error) => this.died(`worker error: ${error.message}`));
    worker.on('exit', (code) => this.died(`worker exited with code ${code}`));
  }

  static start(script: string, options: YoloDetectorOptions, onDeath: (thread: DetectorThread, reason: string) => void): Promise<DetectorThread> {
    const workerData: DetectorWorkerData = { options };
    const worker = new Worker(script, { workerData });
    return new Promise((resolvePromise, rejectPromise) => {
      // Only our own listeners go: Worker keeps its message port referenced through listeners of its own.
      const detach = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const fail = (error: Error) => {
        detach();
        void worker.terminate();
        rejectPromise(error);
      };
      const onMessage = (reply: DetectorReply) => {
        if (reply.kind === 'ready') {
          detach();
          resolvePromise(new DetectorThread(worker, reply.labels, reply.description, reply.inputSide, onDeath));
        } else if (reply.kind === 'failed') {
          fail(reply.name === 'ModelBootError' ? new ModelBootError(reply.message) : new Error(`detector worker failed to start: ${reply.message}`));
        } else {
          fail(new Error(`detector worker sent ${reply.kind} before it was ready`));
        }
      };
      const onError = (error: Error) => fail(new Error(`detector worker failed to start: ${error.message}`));
      const onExit = (code: number) => fail(new Error(`detector worker exited with code ${code} while starting`));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  detect(image: RgbImage, placement: ImagePlacement, stages: StageSink): Promise<Candidate[]> {
    const id = this.nextId++;
    // A copy, not a transfer: the caller keeps the frame (face crops, snapshots).
    const request: DetectorRequest = { id, image: workerImage(image), placement };
    return new Promise((resolvePromise, rejectPromise) => {
      this.pending.set(id, { resolve: resolvePromise, reject: rejectPromise, stages });
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage('close');
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private settle(reply: DetectorReply): void {
    if (reply.kind !== 'result' && reply.kind !== 'error') return;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'error') {
      pending.reject(new Error(reply.message));
      return;
    }
    pending.stages('preprocess', reply.stages.preprocess);
    pending.stages('inference', reply.stages.inference);
    pending.stages('postprocess', reply.stages.postprocess);
    pending.resolve(reply.candidates);
  }

  private died(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    for (const pending of this.pending.values()) pending.reject(new Error(`detector worker died: ${reason}`));
    this.pending.clear();
    this.onDeath(this, reason);
  }
}

/**
 * The YOLO detector on worker threads, one session per thread (`lanes` threads): inference never
 * blocks the main thread, and with several lanes images of different cameras infer at once. A worker
 * that dies fails the images it held and is replaced; the detector keeps serving meanwhile on the others.
 */
export class ThreadedDetector implements ObjectDetector {
  readonly description: string;
  readonly labels: readonly string[];
  readonly inputSide: number;
  /** Workers replaced after dying (an out-of-memory abort, a crash in the native runtime). */
  restarts = 0;
  lastProblem?: string;
  private readonly idle: DetectorThread[];
  private readonly waiters: ((thread: DetectorThread) => void)[] = [];
  private readonly threads = new Set<DetectorThread>();
  private disposed = false;

  private constructor(
    private readonly script: string,
    private readonly options: YoloDetectorOptions,
    threads: DetectorThread[],
  ) {
    this.labels = threads[0].labels;
    this.inputSide = threads[0].inputSide;
    this.description = `${threads[0].description} on ${threads.length} worker thread${threads.length === 1 ? '' : 's'}`;
    for (const thread of threads) this.threads.add(thread);
    this.idle = [...threads];
  }

  static async create(options: YoloDetectorOptions, lanes: number): Promise<ThreadedDetector> {
    const script = detectorWorkerScript();
    if (!script) throw new ModelBootError(`fog.detectorThread worker: the compiled ${WORKER_FILE} is missing (run \`npm run build\`, or set fog.detectorThread: main)`);
    const created: { detector?: ThreadedDetector } = {};
    const onDeath = (thread: DetectorThread, reason: string) => created.detector?.replace(thread, reason);
    const started = await Promise.allSettled(Array.from({ length: Math.max(1, lanes) }, () => DetectorThread.start(script, { ...options, lanes: 1 }, onDeath)));
    const ready = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      await Promise.all(ready.map((t) => t.close()));
      throw failure.reason;
    }
    created.detector = new ThreadedDetector(script, options, ready);
    return created.detector;
  }

  get workerCount(): number {
    return this.threads.size;
  }

  async detect(image: RgbImage, placement: ImagePlacement, stages: StageSink): Promise<Candidate[]> {
    if (this.disposed) throw new Error('detector disposed');
    const thread = await this.acquire();
    try {
      return await thread.detect(image, placement, stages);
    } finally {
      if (this.threads.has(thread)) this.release(thread);
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.threads].map((t) => t.close()));
    this.threads.clear();
  }

  private acquire(): Promise<DetectorThread> {
    const thread = this.idle.pop();
    return thread ? Promise.resolve(thread) : new Promise((r) => this.waiters.push(r));
  }

  private release(thread: DetectorThread): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(thread);
    else this.idle.push(thread);
  }

  private replace(dead: DetectorThread, reason: string): void {
    this.threads.delete(dead);
    const at = this.idle.indexOf(dead);
    if (at >= 0) this.idle.splice(at, 1);
    this.lastProblem = reason;
    if (this.disposed) return;
    this.restarts++;
    DetectorThread.start(this.script, { ...this.options, lanes: 1 }, (t, r) => this.replace(t, r)).then(
      (fresh) => {
        if (this.disposed) return void fresh.close();
        this.threads.add(fresh);
        this.release(fresh);
      },
      (error: Error) => {
        this.lastProblem = `${reason}; its replacement failed to start: ${error.message}`;
      },
    );
  }
}

/** What a worker is sent of an image: a video frame as its yuv420p planes unless it was converted already. */
function workerImage(image: RgbImage): WorkerImage {
  const yuv = image instanceof Yuv420Image && !image.convertedRgb;
  const data = yuv ? image.yuv : image.data;
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: image.width, height: image.height, pixelFormat: yuv ? 'yuv420p' : 'rgb24' };
}
