import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { VideoConfig } from '@sentinel/config';
import { PixelFormat, frameBytes } from '@sentinel/contracts';
import { MultipartPackets, isKeyframe } from './multipart-packets';

export interface EncodedPacket {
  data: Buffer;
  keyframe: boolean;
}

export interface H264Format {
  width: number;
  height: number;
  fps: number;
  /** The raw frames written: yuv420p is x264's own input (no conversion in ffmpeg); rgb24 is converted first. */
  pixelFormat: PixelFormat;
}

/** The ffmpeg arguments of one persistent encoder: raw frames on stdin, one multipart part per H.264 packet on stdout. */
export function h264EncoderArgs(format: H264Format, video: Pick<VideoConfig, 'crf' | 'preset' | 'keyframeIntervalS' | 'threads' | 'x264Params'>): string[] {
  const gop = Math.max(1, Math.round(format.fps * video.keyframeIntervalS));
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-f', 'rawvideo', '-pix_fmt', format.pixelFormat, '-s', `${format.width}x${format.height}`, '-r', String(format.fps), '-i', 'pipe:0',
    '-c:v', 'libx264', '-preset', video.preset, '-tune', 'zerolatency', '-crf', String(video.crf),
    '-g', String(gop), '-threads', String(video.threads), '-pix_fmt', 'yuv420p', '-x264-params', ['aud=1', video.x264Params].filter(Boolean).join(':'),
    '-flush_packets', '1', '-f', 'mpjpeg', 'pipe:1',
  ];
}

interface Waiting {
  resolve: (packet: EncodedPacket) => void;
  reject: (error: Error) => void;
}

/**
 * One libx264 process (the bundled ffmpeg) fed raw frames through stdin; each frame comes back as
 * one Annex-B packet, in order (zerolatency: no lookahead, no B-frames). Frames may be written
 * before earlier packets came back. `restart()` ends this process after the packets it owes and
 * starts afresh on the next frame, so that frame is a keyframe. When ffmpeg dies, the frames it
 * owed reject and the next frame starts a new process.
 */
export class H264Encoder {
  private process?: ChildProcessWithoutNullStreams;
  private waiting: Waiting[] = [];
  private stderr: string[] = [];

  constructor(
    private readonly ffmpegPath: string,
    private readonly format: H264Format,
    private readonly video: Pick<VideoConfig, 'crf' | 'preset' | 'keyframeIntervalS' | 'threads' | 'x264Params'>,
  ) {}

  /** The running encoder's process id, if one runs. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  encode(frame: Uint8Array): Promise<EncodedPacket> {
    const { width, height, pixelFormat } = this.format;
    const expected = frameBytes(width, height, pixelFormat);
    if (frame.length !== expected) return Promise.reject(new Error(`frame has ${frame.length} bytes, the encoder takes ${expected} (${pixelFormat} ${width}x${height})`));
    const child = this.process ?? this.spawn();
    return new Promise<EncodedPacket>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      child.stdin.write(frame);
    });
  }

  /** The next frame starts a new stream (a keyframe); packets still owed by this one still arrive. */
  restart(): void {
    const child = this.process;
    this.process = undefined;
    child?.stdin.end();
  }

  /** Ends the encoder: owed packets still arrive; resolves when ffmpeg has exited. */
  async close(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private spawn(): ChildProcessWithoutNullStreams {
    const child = spawn(this.ffmpegPath, h264EncoderArgs(this.format, this.video), { stdio: ['pipe', 'pipe', 'pipe'] });
    const owed: Waiting[] = [];
    this.waiting = owed;
    const parser = new MultipartPackets();
    this.stderr = [];
    const fail = (error: Error) => {
      for (const waiter of owed.splice(0)) waiter.reject(error);
      if (this.process === child) this.process = undefined;
    };
    child.stdout.on('data', (chunk: Buffer) => {
      let packets: Buffer[];
      try {
        packets = parser.push(chunk);
      } catch (error) {
        child.kill('SIGKILL');
        fail(error as Error);
        return;
      }
      for (const data of packets) owed.shift()?.resolve({ data, keyframe: isKeyframe(data) });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk.toString());
      if (this.stderr.length > 20) this.stderr.shift();
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => fail(new Error(`cannot run the H.264 encoder (${this.ffmpegPath}): ${error.message}`)));
    child.on('close', (code, signal) => {
      if (owed.length) fail(new Error(`H.264 encoder exited (${signal ?? `code ${code}`}) owing ${owed.length} packets: ${this.stderr.join('').trim().slice(-300)}`));
      if (this.process === child) this.process = undefined;
    });
    this.process = child;
    return child;
  }
}
