import { ChildProcessByStdio, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import installer from '@ffmpeg-installer/ffmpeg';
import { PixelFormat, frameBytes } from '@sentinel/contracts';
import { childSocketPath, connectWhenListening } from '@sentinel/transport';
import { delimitedAccessUnit } from './access-units';
import { FrameAssembler } from './frame-assembler';

/**
 * ffmpeg's arguments for one persistent decoder: Annex-B H.264 on stdin, yuv420p frames of the given
 * size to `output` (the decoder's own layout: converting to rgb24 in ffmpeg cost as much CPU as the
 * decode itself; the fog converts at the model's input size and for crops only, see Yuv420Image). Probing stops after the first bytes (`-probesize 32`, the first packet carries
 * the SPS), one decoding thread (frame threads would hold frames back; slice threads add CPU, and
 * the fog's cost is CPU), no frame duplicated or dropped on timestamps (`-vsync passthrough`), each
 * frame written in one write (`-avioflags direct`) and flushed as it is written. `-s` keeps every
 * output frame at the size the messages declare. The output is a Unix socket ffmpeg listens on
 * (`-listen 1 unix:PATH`): the fog reads it straight into the frame buffer (see H264Decoder).
 */
export function h264DecoderArgs(width: number, height: number, output = 'pipe:1', pixelFormat: PixelFormat = 'yuv420p'): string[] {
  const listen = output.startsWith('unix:') ? ['-listen', '1'] : [];
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-probesize', '32', '-analyzeduration', '0', '-flags', 'low_delay', '-threads', '1',
    '-f', 'h264', '-i', 'pipe:0',
    '-vsync', 'passthrough', '-s', `${width}x${height}`, '-f', 'rawvideo', '-pix_fmt', pixelFormat,
    '-avioflags', 'direct', '-flush_packets', '1', ...listen, output,
  ];
}

/** How frames come back and in which layout; the defaults are the fog's, the others what bench:fog compares them with. */
export interface H264DecoderOptions {
  /** `socket` (the default) or ffmpeg's stdout `pipe` (what the fog used before). */
  output?: 'socket' | 'pipe';
  /** yuv420p (the fog's), or rgb24 (converted by ffmpeg, as before; bench:fog compares both). */
  pixelFormat?: PixelFormat;
}

/** How often the fog tries to connect to ffmpeg's socket, which exists once ffmpeg has decoded its first frame. */
const CONNECT_RETRY_MS = 2;

/** The ffmpeg the fog decodes with: `roof.ffmpegPath` (FFMPEG_PATH) when set, else the bundled one. */
export function decoderFfmpegPath(override?: string): string {
  return override && override.length > 0 ? override : installer.path;
}

export class VideoDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VideoDecodeError';
  }
}

interface Waiting {
  resolve: (yuv: Buffer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One persistent ffmpeg H.264 decoder of a fixed frame size: each packet written gives one yuv420p
 * frame back, in order, as soon as ffmpeg has decoded it (the packet is followed by the next access
 * unit's delimiter, see delimitedAccessUnit). Frames come back over a Unix socket ffmpeg listens
 * on, read with a user buffer (`onread`): each read lands in the frame being filled (FrameAssembler),
 * with no chunk allocated or copied on the way, where a stdout pipe costs a 64 KB chunk, a copy and a
 * stream event per read (measured in bench:fog). Anything ffmpeg reports on stderr (its log level is
 * `error`), a frame that does not come within `timeoutMs` of its packet, ffmpeg exiting or its socket
 * closing fails what is owed with a VideoDecodeError and kills the process: this decoder is then
 * `failed` and the owner starts another. It never waits forever.
 */
export class H264Decoder {
  private readonly process: ChildProcessByStdio<Writable, Readable | null, Readable>;
  private readonly owed: Waiting[] = [];
  private readonly frames: FrameAssembler;
  /** A fresh Unix socket path for this decoder's frames (in the OS temp folder; removed when the decoder ends). */
  private readonly socketPath = childSocketPath('h264');
  private socket?: Socket;
  private connecting = false;
  private packetsWritten = 0;
  private failure?: VideoDecodeError;
  readonly output: 'socket' | 'pipe';
  readonly pixelFormat: PixelFormat;

  constructor(
    ffmpegPath: string,
    readonly width: number,
    readonly height: number,
    private readonly timeoutMs: number,
    options: H264DecoderOptions = {},
  ) {
    const { output = 'socket', pixelFormat = 'yuv420p' } = options;
    this.output = output;
    this.pixelFormat = pixelFormat;
    this.frames = new FrameAssembler(frameBytes(width, height, pixelFormat));
    const target = output === 'socket' ? `unix:${this.socketPath}` : 'pipe:1';
    const args = h264DecoderArgs(width, height, target, pixelFormat);
    this.process = output === 'socket' ? spawn(ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'] }) : spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdout?.on('data', (chunk: Buffer) => this.takeChunk(chunk));
    this.process.stderr.on('data', (chunk: Buffer) => this.fail(`ffmpeg: ${chunk.toString().trim().slice(0, 300)}`));
    this.process.stdin.on('error', () => undefined);
    this.process.on('error', (error) => this.fail(`cannot run the H.264 decoder (${ffmpegPath}): ${error.message}`));
    this.process.on('close', (code, signal) => this.fail(`the decoder exited (${signal ?? `code ${code}`})`));
  }

  /** ffmpeg's process id (tests kill it). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Set once the decoder failed: it takes no more packets. */
  get failed(): VideoDecodeError | undefined {
    return this.failure;
  }

  /** True until the first packet was written (the decoder can only start at a keyframe). */
  get fresh(): boolean {
    return this.packetsWritten === 0;
  }

  /** The frame of `packet`: yuv420p (yuv420pBytes(width, height) bytes) unless rgb24 was asked for. */
  decode(packet: Uint8Array): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`no frame within ${this.timeoutMs} ms of its packet`), this.timeoutMs);
      this.owed.push({ resolve, reject, timer });
      for (const bytes of delimitedAccessUnit(packet, this.packetsWritten === 0)) this.process.stdin.write(bytes);
      this.packetsWritten++;
      if (this.output === 'socket') this.connect();
    });
  }

  close(): void {
    this.fail('closed');
  }

  /**
   * Connects to ffmpeg's socket once (it listens after decoding its first frame): refused or not yet
   * there, it tries again every few ms until connected or failed (the frame timeout ends the wait).
   */
  private connect(): void {
    if (this.connecting || this.failure) return;
    this.connecting = true;
    connectWhenListening({ path: this.socketPath }, {
      onread: { buffer: () => this.frames.target(), callback: (n) => this.took(n) },
      givenUp: () => this.failure !== undefined,
      retryMs: CONNECT_RETRY_MS,
      onConnected: (socket) => {
        this.socket = socket;
        socket.on('error', (error) => this.fail(`the decoder's socket failed: ${error.message}`));
        socket.on('close', () => this.fail('the decoder closed its socket'));
      },
    });
  }

  /** A stdout chunk (`pipe` output), copied into the frames it fills. */
  private takeChunk(chunk: Buffer): void {
    for (let offset = 0; offset < chunk.length && !this.failure; ) {
      const target = this.frames.target();
      const n = chunk.copy(target, 0, offset, offset + Math.min(target.length, chunk.length - offset));
      offset += n;
      this.took(n);
    }
  }

  /** `n` bytes from ffmpeg were read into the frame being filled; a full frame goes to the packet that owes it. */
  private took(n: number): boolean {
    if (this.failure) return false;
    const frame = this.frames.took(n);
    if (!frame) return true;
    const waiter = this.owed.shift();
    if (!waiter) {
      this.fail('the decoder gave a frame no packet asked for');
      return false;
    }
    clearTimeout(waiter.timer);
    waiter.resolve(frame);
    return true;
  }

  private fail(reason: string): void {
    if (this.failure) return;
    this.failure = new VideoDecodeError(reason);
    for (const waiter of this.owed.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure);
    }
    this.process.kill('SIGKILL');
    this.socket?.destroy();
    rmSync(this.socketPath, { force: true });
  }
}
