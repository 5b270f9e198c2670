import { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { FramePool } from './frame-pool';
import { FfmpegInvocation, OutputFormat, isDecodeErrorLine, parseOutputFormat } from './source';

/** One decoded frame: rgb24, height x width x 3 bytes, in a pooled buffer (release it when done). */
export interface RawFrame {
  data: Buffer;
  width: number;
  height: number;
  /** Index of the frame in this reader's output, from 0. */
  index: number;
  /** Wall clock (epoch ms) when its last byte arrived. */
  receivedAt: number;
  /** Time from its first to its last byte on the pipe (ms). */
  transferMs: number;
}

export interface ReaderEnd {
  /** undefined: ffmpeg finished normally (end of input). */
  error?: Error;
  /** Bytes of an incomplete last frame (a truncated frame, counted as corrupt). */
  partialBytes: number;
  /** ffmpeg's last stderr lines, for error messages. */
  stderrTail: string[];
  /** The reader was stopped by its owner. */
  stopped: boolean;
}

export interface FrameSink {
  format(format: OutputFormat, pool: FramePool): void;
  frame(frame: RawFrame): void;
  /** A frame ffmpeg could not decode and skipped. */
  corrupt(line: string): void;
  end(end: ReaderEnd): void;
}

const STDERR_TAIL = 20;

/**
 * Runs ffmpeg (through fluent-ffmpeg) with raw rgb24 frames on its stdout pipe and cuts that byte
 * stream into frames. The frame size is read from ffmpeg's own description of its output stream;
 * bytes that arrive before it are held back. `pause()` stops reading the pipe (ffmpeg then blocks
 * on its write: natural backpressure), `stop()` kills ffmpeg.
 */
export class FrameReader {
  private readonly pipe = new PassThrough({ highWaterMark: 1 << 20 });
  private readonly command: ffmpeg.FfmpegCommand;
  private readonly stderrTail: string[] = [];
  private readonly early: Buffer[] = [];
  private pool?: FramePool;
  private format?: OutputFormat;
  private current?: Buffer;
  private filled = 0;
  private frameStart = 0;
  private index = 0;
  private afterOutputHeader = false;
  private processDone?: Error | null;
  private pipeEnded = false;
  private stopped = false;
  private finished = false;
  private started = false;
  private bytesReceived = 0;
  private markExited!: () => void;
  /** Resolves once the ffmpeg process has exited (or never started). */
  readonly exited = new Promise<void>((resolve) => (this.markExited = resolve));

  constructor(
    invocation: FfmpegInvocation,
    ffmpegPath: string,
    private readonly sink: FrameSink,
    private readonly poolFor: (frameBytes: number) => FramePool = (bytes) => new FramePool(bytes),
  ) {
    this.command = ffmpeg(invocation.input)
      .setFfmpegPath(ffmpegPath)
      .inputOptions(invocation.inputOptions)
      .outputOptions(invocation.outputOptions);
    this.command.on('start', () => {
      this.started = true;
      if (this.stopped) this.command.kill('SIGKILL');
    });
    this.command.on('stderr', (line: string) => this.onStderr(line));
    this.command.on('error', (error: Error) => this.onProcessDone(error));
    this.command.on('end', () => this.onProcessDone(null));
    this.pipe.on('data', (chunk: Buffer) => this.onData(chunk));
    this.pipe.on('end', () => {
      this.pipeEnded = true;
      this.maybeFinish();
    });
    this.pipe.on('error', () => undefined);
  }

  start(): void {
    this.command.pipe(this.pipe, { end: true });
  }

  /** The ffmpeg process id once it runs (tests use it to simulate a crash). */
  get pid(): number | undefined {
    return (this.command as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid;
  }

  pause(): void {
    this.pipe.pause();
  }

  resume(): void {
    this.pipe.resume();
  }

  get paused(): boolean {
    return this.pipe.isPaused();
  }

  /** Kills ffmpeg; `end` follows with `stopped: true`. Resolves when the process has exited. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      if (this.started) this.command.kill('SIGKILL');
      this.pipe.resume();
    }
    return this.exited;
  }

  private onStderr(line: string): void {
    if (this.stderrTail.length >= STDERR_TAIL) this.stderrTail.shift();
    this.stderrTail.push(line);
    if (isDecodeErrorLine(line)) {
      this.sink.corrupt(line);
      return;
    }
    if (this.format) return;
    if (/^Output #0/.test(line)) this.afterOutputHeader = true;
    if (!this.afterOutputHeader) return;
    const format = parseOutputFormat(line);
    if (!format) return;
    this.format = format;
    this.pool = this.poolFor(format.width * format.height * 3);
    this.sink.format(format, this.pool);
    for (const chunk of this.early.splice(0)) this.onData(chunk);
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    if (this.stopped) return;
    const pool = this.pool;
    if (!pool || !this.format) {
      this.early.push(chunk);
      return;
    }
    const frameBytes = pool.frameBytes;
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.current) {
        this.current = pool.acquire();
        this.filled = 0;
        this.frameStart = performance.now();
      }
      const n = Math.min(frameBytes - this.filled, chunk.length - offset);
      chunk.copy(this.current, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === frameBytes) {
        const data = this.current;
        this.current = undefined;
        const transferMs = performance.now() - this.frameStart;
        this.sink.frame({ data, width: this.format.width, height: this.format.height, index: this.index++, receivedAt: Date.now(), transferMs });
        if (this.stopped) return;
      }
    }
  }

  private onProcessDone(error: Error | null): void {
    if (this.processDone !== undefined) return;
    // fluent-ffmpeg reports "Output stream closed" when our pipe closed before it saw ffmpeg exit: a race, not a failure.
    if (error && /^Output stream closed/.test(error.message) && this.pipeEnded) error = null;
    this.processDone = error;
    this.markExited();
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || this.processDone === undefined) return;
    // Wait for the pipe to drain, unless nothing ever came through it (ffmpeg failed to start,
    // e.g. a missing binary: then the pipe never ends).
    if (!this.pipeEnded && !this.stopped && this.bytesReceived > 0) return;
    this.finished = true;
    let partialBytes = this.current ? this.filled : 0;
    for (const chunk of this.early) partialBytes += chunk.length;
    if (this.current) this.pool?.release(this.current);
    this.current = undefined;
    let error = this.processDone ?? undefined;
    if (!error && !this.format && partialBytes > 0) error = new Error('ffmpeg wrote frames but never described its output stream');
    this.sink.end({ error, partialBytes, stderrTail: [...this.stderrTail], stopped: this.stopped });
  }
}
