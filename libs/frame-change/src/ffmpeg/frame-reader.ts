import type { Socket } from 'node:net';
import ffmpeg from 'fluent-ffmpeg';
import { connectWhenListening, freeLoopbackPort } from '@sentinel/transport';
import { FramePool } from './frame-pool';
import { PixelFormat, frameBytes } from '@sentinel/contracts';
import { FfmpegInvocation, OutputFormat, isDecodeErrorLine, parseOutputFormat } from './source';

/** One decoded frame (rgb24, or yuv420p when asked: see frameBytes), in a pooled buffer (release it when done). */
export interface RawFrame {
  data: Buffer;
  width: number;
  height: number;
  pixelFormat: PixelFormat;
  /** Index of the frame in this reader's output, from 0. */
  index: number;
  /** Wall clock (epoch ms) when its last byte arrived. */
  receivedAt: number;
  /** Time from its first to its last byte on the socket (ms). */
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
/** Reads before the output format is known land here (then are copied: only the first bytes). */
const EARLY_READ_BYTES = 1 << 16;
/** First wait between attempts to connect to ffmpeg's socket, doubling up to the second (an RTSP input may take seconds to open). */
const CONNECT_RETRY_MS = 2;
const CONNECT_MAX_RETRY_MS = 50;

/**
 * Runs ffmpeg (through fluent-ffmpeg) writing raw frames to a loopback TCP port it listens on
 * (`tcp://127.0.0.1:PORT?listen=1`, one connection) and reads them straight into pooled frame buffers
 * (`onread`). Why not stdout: its pipe allocated a 64 KB chunk per read, 1.3 MB of external memory per
 * 768x576 frame, which kept V8 marking the heap (29% of the roof's main thread in a CPU profile of
 * bench:roof). Why TCP and not a Unix socket: a pipe or a Unix socket buffers ~64-200 KB, less than a
 * frame, so ffmpeg could not decode the next frame while the main thread worked on this one (decode
 * and change detection took turns); loopback TCP's send buffer grows to megabytes (autotuning), so
 * ffmpeg decodes ahead. The frame size is read from ffmpeg's own description of its output stream;
 * bytes that arrive before it are held back. `pause()` stops reading (ffmpeg then blocks on its
 * write once its buffer is full: backpressure), `stop()` kills ffmpeg.
 */
export class FrameReader {
  private readonly earlyRead = Buffer.allocUnsafe(EARLY_READ_BYTES);
  /** What the pending socket read writes into: Node asks for the next read's buffer right after the previous read. */
  private readingEarly = true;
  private socket?: Socket;
  /** The loopback port ffmpeg listens on for this run. */
  private port = 0;
  private wantPaused = false;
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
  private socketEnded = false;
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
    private readonly poolFor: (bytesPerFrame: number) => FramePool = (bytes) => new FramePool(bytes),
  ) {
    this.command = ffmpeg(invocation.input)
      .setFfmpegPath(ffmpegPath)
      .inputOptions(invocation.inputOptions)
      .outputOptions(invocation.outputOptions);
    this.command.on('start', () => {
      this.started = true;
      if (this.stopped) this.command.kill('SIGKILL');
      else this.connect();
    });
    this.command.on('stderr', (line: string) => this.onStderr(line));
    this.command.on('error', (error: Error) => this.onProcessDone(error));
    this.command.on('end', () => this.onProcessDone(null));
  }

  start(): void {
    freeLoopbackPort().then(
      (port) => {
        if (this.stopped) return this.onProcessDone(null);
        this.port = port;
        this.command.output(`tcp://127.0.0.1:${port}?listen=1`).run();
      },
      (error: Error) => this.onProcessDone(new Error(`no loopback port for ffmpeg's frames: ${error.message}`)),
    );
  }

  /** The ffmpeg process id once it runs (tests use it to simulate a crash). */
  get pid(): number | undefined {
    return (this.command as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid;
  }

  pause(): void {
    this.wantPaused = true;
    this.socket?.pause();
  }

  resume(): void {
    this.wantPaused = false;
    this.socket?.resume();
  }

  get paused(): boolean {
    return this.wantPaused;
  }

  /** Kills ffmpeg; `end` follows with `stopped: true`. Resolves when the process has exited. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      if (this.started) this.command.kill('SIGKILL');
      this.socket?.destroy();
    }
    return this.exited;
  }

  /** ffmpeg listens once it has opened its input; reads then go straight into the frame being filled. */
  private connect(): void {
    connectWhenListening({ port: this.port }, {
      onread: { buffer: () => this.readTarget(), callback: (n) => this.onRead(n) },
      givenUp: () => this.stopped || this.processDone !== undefined,
      retryMs: CONNECT_RETRY_MS,
      maxRetryMs: CONNECT_MAX_RETRY_MS,
      onConnected: (socket) => {
        this.socket = socket;
        if (this.wantPaused) socket.pause();
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.socketEnded = true;
          this.maybeFinish();
        });
      },
    });
  }

  /** Where the next socket read lands: the rest of the frame being filled, or (format not known yet) a scratch buffer. */
  private readTarget(): Buffer {
    const pool = this.stopped ? undefined : this.pool;
    this.readingEarly = pool === undefined;
    if (!pool) return this.earlyRead;
    if (!this.current) {
      this.current = pool.acquire();
      this.filled = 0;
      this.frameStart = performance.now();
    }
    return this.current.subarray(this.filled);
  }

  private onRead(n: number): boolean {
    if (this.readingEarly) {
      this.onData(Buffer.from(this.earlyRead.subarray(0, n)));
      return true;
    }
    this.bytesReceived += n;
    if (this.stopped) return true;
    this.filled += n;
    if (this.filled === this.pool!.frameBytes) this.frameDone();
    return true;
  }

  private frameDone(): void {
    const data = this.current!;
    this.current = undefined;
    const transferMs = performance.now() - this.frameStart;
    this.sink.frame({ data, width: this.format!.width, height: this.format!.height, pixelFormat: this.format!.pixelFormat, index: this.index++, receivedAt: Date.now(), transferMs });
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
    this.pool = this.poolFor(frameBytes(format.width, format.height, format.pixelFormat));
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
    const bytesPerFrame = pool.frameBytes;
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.current) {
        this.current = pool.acquire();
        this.filled = 0;
        this.frameStart = performance.now();
      }
      const n = Math.min(bytesPerFrame - this.filled, chunk.length - offset);
      chunk.copy(this.current, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === bytesPerFrame) {
        this.frameDone();
        if (this.stopped) return;
      }
    }
  }

  private onProcessDone(error: Error | null): void {
    if (this.processDone !== undefined) return;
    // fluent-ffmpeg reports "Output stream closed" when the output closed before it saw ffmpeg exit: a race, not a failure.
    if (error && /^Output stream closed/.test(error.message) && this.socketEnded) error = null;
    this.processDone = error;
    this.markExited();
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || this.processDone === undefined) return;
    // Wait for the socket to drain, unless nothing ever came through it (ffmpeg failed before it
    // listened, e.g. a missing binary or input: then no socket ever connects).
    if (!this.socketEnded && !this.stopped && this.bytesReceived > 0) return;
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
