import { access, constants } from 'node:fs/promises';
import type { ReconnectConfig } from '@sentinel/config';
import { FramePool } from '../ffmpeg/frame-pool';
import { FrameReader, RawFrame, ReaderEnd } from '../ffmpeg/frame-reader';
import { OutputFormat, buildInvocation, isPermanentError } from '../ffmpeg/source';
import type { CameraSettings } from '../camera/camera-settings';
import { backoffDelay } from '../camera/backoff';

/** What the read stage tells its camera. */
export interface SourceEvents {
  format(format: OutputFormat): void;
  /** A decoded frame of the current run (release it through `CameraSource.release`). */
  frame(frame: RawFrame): void;
  corrupt(count: number): void;
  /** The source dropped, stalled or crashed; a new ffmpeg starts after `delayMs`. */
  reconnecting(reason: string, delayMs: number, attempt: number): void;
  /** The source cannot work (missing file, bad URL, no ffmpeg, too many attempts). */
  failed(reason: string): void;
  /** A file or lavfi graph came to its end. */
  ended(): void;
}

export interface SourceOptions {
  ffmpegPath: string;
  reconnect: ReconnectConfig;
  skipCorrupt: boolean;
}

/**
 * The read stage: keeps one camera's ffmpeg reader alive. Checks ffmpeg and the file before the
 * first spawn, reconnects with backoff on drops, stalls (no frame for `stallTimeoutMs`, or none
 * within `connectTimeoutMs` of starting) and crashes (a file resumes where it was), and fails on
 * errors that retrying cannot mend. Frames come in pooled buffers, reused across restarts.
 */
export class CameraSource {
  /** Frame buffer pools per frame size, kept across reader restarts so buffers are reused. */
  private readonly pools = new Map<number, FramePool>();
  private reader?: FrameReader;
  private fps = Number.NaN;
  private attempts = 0;
  private framesThisRun = 0;
  private framesTotal = 0;
  private runStartSeconds = 0;
  private lastActivity = 0;
  private stallKill = false;
  private stopping = false;
  private retryTimer?: NodeJS.Timeout;
  private stallTimer?: NodeJS.Timeout;

  constructor(
    private readonly settings: CameraSettings,
    private readonly options: SourceOptions,
    private readonly events: SourceEvents,
  ) {}

  /** ffmpeg's process id while a reader runs. */
  get pid(): number | undefined {
    return this.reader?.pid;
  }

  async start(): Promise<void> {
    // fluent-ffmpeg 2.1 throws an uncaught TypeError when spawning a missing binary, so check first.
    const { ffmpegPath } = this.options;
    if (ffmpegPath.includes('/')) {
      const problem = await unreadable(ffmpegPath, constants.X_OK);
      if (problem) return this.fail(`cannot run ffmpeg at ${ffmpegPath}: ${problem} (set roof.ffmpegPath or FFMPEG_PATH)`);
    }
    if (this.settings.kind === 'file') {
      const problem = await unreadable(this.settings.source, constants.R_OK);
      if (problem) return this.fail(`cannot read file ${this.settings.source}: ${problem}`);
    }
    if (this.stopping) return;
    if (this.settings.live) this.startStallWatch();
    this.spawnReader();
  }

  /** Kills ffmpeg; resolves when it has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.stallTimer);
    const exited = this.reader?.stop();
    this.reader = undefined;
    await exited;
  }

  /** Stops reading ffmpeg's pipe (ffmpeg then blocks: backpressure). */
  pause(): void {
    this.reader?.pause();
  }

  resume(): void {
    if (this.reader?.paused && !this.stopping) this.reader.resume();
  }

  release(frame: RawFrame): void {
    this.pools.get(frame.data.length)?.release(frame.data);
  }

  private readonly poolFor = (bytes: number): FramePool => {
    let pool = this.pools.get(bytes);
    if (!pool) this.pools.set(bytes, (pool = new FramePool(bytes)));
    return pool;
  };

  private spawnReader(): void {
    const { settings } = this;
    const invocation = buildInvocation({
      source: settings.source,
      kind: settings.kind,
      fps: settings.fps,
      width: settings.width,
      height: settings.height,
      pace: settings.pace,
      loop: settings.loop,
      startSeconds: settings.kind === 'file' && !settings.loop ? this.runStartSeconds : 0,
      skipCorrupt: this.options.skipCorrupt,
      extraInputOptions: settings.inputOptions,
      // The video encoder takes yuv420p: decoding straight to it saves two colour conversions per frame (bench:roof).
      pixelFormat: settings.policy === 'video' ? 'yuv420p' : 'rgb24',
    });
    this.framesThisRun = 0;
    this.lastActivity = Date.now();
    this.stallKill = false;
    const reader = new FrameReader(
      invocation,
      this.options.ffmpegPath,
      {
        format: (format) => {
          this.fps = settings.fps ?? format.fps;
          this.events.format(format);
        },
        frame: (frame) => this.onFrame(reader, frame),
        corrupt: () => this.events.corrupt(1),
        end: (end) => this.onReaderEnd(reader, end),
      },
      this.poolFor,
    );
    this.reader = reader;
    reader.start();
  }

  private onFrame(reader: FrameReader, frame: RawFrame): void {
    if (this.stopping || reader !== this.reader) {
      this.release(frame);
      return;
    }
    this.framesThisRun++;
    this.framesTotal++;
    this.lastActivity = Date.now();
    this.attempts = 0;
    this.events.frame(frame);
  }

  private onReaderEnd(reader: FrameReader, end: ReaderEnd): void {
    if (reader !== this.reader) return;
    this.reader = undefined;
    if (end.partialBytes > 0) this.events.corrupt(1);
    if (this.stopping) return;
    const { settings } = this;
    if (end.stopped && this.stallKill) {
      const { stallTimeoutMs, connectTimeoutMs } = this.options.reconnect;
      this.retry(this.framesThisRun === 0 ? `no first frame within ${connectTimeoutMs} ms of starting ffmpeg` : `no frame for ${stallTimeoutMs} ms`);
      return;
    }
    if (!end.error) {
      if (settings.live) this.retry('the stream ended');
      else this.finish();
      return;
    }
    const reason = describeFfmpegError(end.error, end.stderrTail);
    if (this.framesTotal === 0 && isPermanentError(`${reason}\n${end.stderrTail.join('\n')}`)) {
      this.fail(reason);
      return;
    }
    if (settings.kind === 'file' && !settings.loop && Number.isFinite(this.fps) && this.fps > 0) {
      this.runStartSeconds += this.framesThisRun / this.fps;
    }
    this.retry(reason);
  }

  private retry(reason: string): void {
    this.attempts++;
    const { reconnect } = this.options;
    if (reconnect.maxAttempts > 0 && this.attempts > reconnect.maxAttempts) {
      this.fail(`${reason}; gave up after ${reconnect.maxAttempts} attempts`);
      return;
    }
    const delay = backoffDelay(this.attempts, reconnect);
    this.events.reconnecting(reason, delay, this.attempts);
    this.retryTimer = setTimeout(() => {
      if (!this.stopping) this.spawnReader();
    }, delay);
  }

  private fail(reason: string): void {
    clearInterval(this.stallTimer);
    this.events.failed(reason);
  }

  private finish(): void {
    clearInterval(this.stallTimer);
    this.events.ended();
  }

  private startStallWatch(): void {
    const { stallTimeoutMs, connectTimeoutMs } = this.options.reconnect;
    this.stallTimer = setInterval(
      () => {
        // Until its first frame a run is connecting, not stalled: it gets connectTimeoutMs.
        const limit = this.framesThisRun === 0 ? connectTimeoutMs : stallTimeoutMs;
        if (!this.reader || this.stopping || Date.now() - this.lastActivity < limit) return;
        this.stallKill = true;
        void this.reader.stop();
      },
      Math.max(50, Math.min(1_000, Math.min(stallTimeoutMs, connectTimeoutMs) / 4)),
    );
    this.stallTimer.unref();
  }
}

async function unreadable(path: string, mode: number): Promise<string | undefined> {
  try {
    await access(path, mode);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/** fluent-ffmpeg's message plus the most telling stderr line. */
function describeFfmpegError(error: Error, stderrTail: string[]): string {
  const message = error.message.replace(/\s+/g, ' ').trim();
  const telling = [...stderrTail].reverse().find((line) => /error|invalid|no such|not found|refused|denied|failed|unable|timed out/i.test(line));
  return telling && !message.includes(telling.trim()) ? `${message} (${telling.trim()})` : message;
}
