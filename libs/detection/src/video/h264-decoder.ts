import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import installer from '@ffmpeg-installer/ffmpeg';
import { delimitedAccessUnit } from './access-units';

/**
 * ffmpeg's arguments for one persistent decoder: Annex-B H.264 on stdin, rgb24 frames of the given
 * size on stdout. Probing stops after the first bytes (`-probesize 32`, the first packet carries
 * the SPS), one decoding thread (frame threads would hold frames back), no frame duplicated or
 * dropped on timestamps (`-vsync passthrough`), each frame flushed to the pipe as it is written.
 * `-s` keeps every output frame at the size the messages declare.
 */
export function h264DecoderArgs(width: number, height: number): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-probesize', '32', '-analyzeduration', '0', '-flags', 'low_delay', '-threads', '1',
    '-f', 'h264', '-i', 'pipe:0',
    '-vsync', 'passthrough', '-s', `${width}x${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-flush_packets', '1', 'pipe:1',
  ];
}

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
  resolve: (rgb: Buffer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One persistent ffmpeg H.264 decoder of a fixed frame size: each packet written gives one rgb24
 * frame back, in order, as soon as ffmpeg has decoded it (the packet is followed by the next access
 * unit's delimiter, see delimitedAccessUnit). Anything ffmpeg reports on stderr (its log level is
 * `error`), a frame that does not come within `timeoutMs` of its packet, or ffmpeg exiting fails
 * what is owed with a VideoDecodeError and kills the process: this decoder is then `failed` and the
 * owner starts another. It never waits forever.
 */
export class H264Decoder {
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly owed: Waiting[] = [];
  private readonly frameBytes: number;
  private frame?: Buffer;
  private filled = 0;
  private packetsWritten = 0;
  private failure?: VideoDecodeError;

  constructor(
    ffmpegPath: string,
    readonly width: number,
    readonly height: number,
    private readonly timeoutMs: number,
  ) {
    this.frameBytes = width * height * 3;
    this.process = spawn(ffmpegPath, h264DecoderArgs(width, height), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdout.on('data', (chunk: Buffer) => this.take(chunk));
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

  /** The rgb24 frame of `packet` (width x height x 3 bytes). */
  decode(packet: Uint8Array): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`no frame within ${this.timeoutMs} ms of its packet`), this.timeoutMs);
      this.owed.push({ resolve, reject, timer });
      for (const bytes of delimitedAccessUnit(packet, this.packetsWritten === 0)) this.process.stdin.write(bytes);
      this.packetsWritten++;
    });
  }

  close(): void {
    this.fail('closed');
  }

  /** Frame bytes from ffmpeg, copied once into the frame being filled. */
  private take(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.failure) {
      this.frame ??= Buffer.allocUnsafe(this.frameBytes);
      const n = Math.min(chunk.length - offset, this.frameBytes - this.filled);
      chunk.copy(this.frame, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled < this.frameBytes) return;
      const waiter = this.owed.shift();
      if (!waiter) return this.fail('the decoder gave a frame no packet asked for');
      clearTimeout(waiter.timer);
      waiter.resolve(this.frame);
      this.frame = undefined;
      this.filled = 0;
    }
  }

  private fail(reason: string): void {
    if (this.failure) return;
    this.failure = new VideoDecodeError(reason);
    for (const waiter of this.owed.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure);
    }
    this.process.kill('SIGKILL');
  }
}
