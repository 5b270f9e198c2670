import { spawn } from 'node:child_process';
import { FrameMessage, SCHEMA_VERSION, isKeyframe, nalTypes, yuv420pToRgb24 } from '@sentinel/contracts';
import { Yuv420Image } from '../image/yuv420-image';
import type { DropReason } from '../pipeline/fog-stats';
import type { DecodedMessage } from '../pipeline/stages/decode';
import { ACCESS_UNIT_DELIMITER, delimitedAccessUnit } from './access-units';
import { H264Decoder, VideoDecodeError, decoderFfmpegPath } from './h264-decoder';
import { VideoFrameDecoder } from './video-frame-decoder';

const W = 64;
const H = 48;
const resolveFfmpegPath = () => decoderFfmpegPath();

interface EncodedPacket {
  data: Buffer;
  keyframe: boolean;
}

/** A 64x48 rgb24 frame with a bright square at column x. */
function frame(x: number): Buffer {
  const data = Buffer.alloc(W * H * 3, 40);
  for (let y = 10; y < 26; y++) for (let c = x; c < x + 16; c++) data.fill(220, (y * W + c) * 3, (y * W + c) * 3 + 3);
  return data;
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** The roof's encoder settings (libx264 zerolatency, an AUD before each access unit), the stream cut at its AUDs. */
function encode(frames: Buffer[]): Promise<EncodedPacket[]> {
  const args = ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '10', '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-crf', '18', '-g', '1000', '-pix_fmt', 'yuv420p', '-x264-params', 'aud=1', '-f', 'h264', 'pipe:1'];
  return new Promise((resolve, reject) => {
    const child = spawn(resolveFfmpegPath(), args);
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', reject);
    child.on('close', () => {
      const stream = Buffer.concat(out);
      const aud = Buffer.from([0, 0, 0, 1, 0x09]);
      const starts: number[] = [];
      for (let at = stream.indexOf(aud); at >= 0; at = stream.indexOf(aud, at + 1)) starts.push(at);
      resolve(starts.map((start, i) => stream.subarray(start, starts[i + 1] ?? stream.length)).map((data) => ({ data, keyframe: isKeyframe(data) })));
    });
    child.stdin.end(Buffer.concat(frames));
  });
}

const XS = [0, 4, 8, 12, 16, 20, 24, 28];
/** A slice NAL (non-IDR) of pseudo-random bytes: ffmpeg reports it at once. */
const garbage = Buffer.concat([Buffer.from([0, 0, 0, 1, 0x41]), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) & 0xff))]);
let packets: EncodedPacket[];

beforeAll(async () => {
  packets = await encode(XS.map(frame));
  expect(packets.map((p) => p.keyframe)).toEqual(XS.map((_, i) => i === 0));
});

describe('delimitedAccessUnit', () => {
  it('writes the first packet whole, later ones without their leading AUD, each followed by the next AUD', () => {
    const packet = Buffer.from([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x41, 7, 7]);
    expect(Buffer.concat(delimitedAccessUnit(packet, true))).toEqual(Buffer.concat([packet, ACCESS_UNIT_DELIMITER]));
    expect(Buffer.concat(delimitedAccessUnit(packet, false))).toEqual(Buffer.from([0, 0, 1, 0x41, 7, 7, ...ACCESS_UNIT_DELIMITER]));
    const noAud = Buffer.from([0, 0, 1, 0x41, 7]);
    expect(Buffer.concat(delimitedAccessUnit(noAud, false))).toEqual(Buffer.concat([noAud, ACCESS_UNIT_DELIMITER]));
  });
});

describe('H264Decoder (bundled ffmpeg)', () => {
  it('gives each packet its frame before the next packet is written, close to the encoded picture', async () => {
    expect(packets.every((p) => nalTypes(p.data)[0] === 9)).toBe(true);
    const decoder = new H264Decoder(resolveFfmpegPath(), W, H, 5_000);
    try {
      for (const [i, packet] of packets.entries()) {
        const yuv = await decoder.decode(packet.data);
        expect(yuv.length).toBe(W * H * 1.5);
        expect(meanAbsDiff(Buffer.from(yuv420pToRgb24(yuv, W, H)), frame(XS[i]))).toBeLessThan(4);
      }
      expect(decoder.failed).toBeUndefined();
    } finally {
      decoder.close();
    }
  });

  it('gives the same bytes over its Unix socket as over the stdout pipe (the transport changes no pixel)', async () => {
    const socket = new H264Decoder(resolveFfmpegPath(), W, H, 5_000);
    const pipe = new H264Decoder(resolveFfmpegPath(), W, H, 5_000, { output: 'pipe' });
    try {
      for (const packet of packets) expect((await socket.decode(packet.data)).equals(await pipe.decode(packet.data))).toBe(true);
    } finally {
      socket.close();
      pipe.close();
    }
  });

  it('fails (never hangs) on garbage, and on a killed ffmpeg', async () => {
    const decoder = new H264Decoder(resolveFfmpegPath(), W, H, 2_000);
    await decoder.decode(packets[0].data);
    await expect(decoder.decode(garbage)).rejects.toThrow(VideoDecodeError);
    expect(decoder.failed).toBeInstanceOf(VideoDecodeError);
    await expect(decoder.decode(packets[1].data)).rejects.toBe(decoder.failed);

    const killed = new H264Decoder(resolveFfmpegPath(), W, H, 2_000);
    await killed.decode(packets[0].data);
    process.kill(killed.pid!, 'SIGKILL');
    await expect(killed.decode(packets[1].data)).rejects.toThrow(/exited|closed its socket|no frame within|EPIPE/);
  });

  it('fails a packet that gives no frame within its timeout', async () => {
    // An SPS and PPS on their own make no picture and no error: only the timeout ends the wait.
    const headers = packets[0].data.subarray(0, packets[0].data.indexOf(Buffer.from([0, 0, 1, 0x65])) - 1);
    expect(nalTypes(headers)).toEqual(expect.arrayContaining([7, 8]));
    const decoder = new H264Decoder(resolveFfmpegPath(), W, H, 300);
    await expect(decoder.decode(headers)).rejects.toThrow(/no frame within 300 ms|ffmpeg:/);
  });
});

describe('VideoFrameDecoder', () => {
  const message = (seq: number, packet: EncodedPacket, baseSeq?: number): FrameMessage =>
    Object.assign(new FrameMessage(), {
      v: SCHEMA_VERSION, cameraId: 'cam', seq, capturedAt: 0, width: W, height: H, kind: 'frame' as const, changeScore: 0.1,
      codec: 'h264' as const, packet: packet.data, keyframe: packet.keyframe, ...(baseSeq === undefined ? {} : { baseSeq }),
    });

  function counting(): { drops: DropReason[]; drop(reason: DropReason): void } {
    return { drops: [], drop(reason) { this.drops.push(reason); } };
  }

  /** Runs `body` on a fresh decoder that records its drops, and closes the decoder after. */
  async function withDecoder(body: (video: VideoFrameDecoder, counters: ReturnType<typeof counting>) => Promise<void>): Promise<void> {
    const counters = counting();
    const video = new VideoFrameDecoder(resolveFfmpegPath(), counters, 5_000);
    try {
      await body(video, counters);
    } finally {
      video.close();
    }
  }

  it('decodes a chain from its keyframe; drops (out of step) what follows a gap until the next keyframe', () => withDecoder(async (video, counters) => {
    // A fresh decoder and no keyframe: dropped, resync.
    expect(await video.decode(message(1, packets[1], 0))).toEqual({ outOfStep: true });
    const first = await video.decode(message(0, packets[0]));
    // The frame stays yuv420p until something needs it whole in RGB.
    expect('picture' in first && first.picture).toBeInstanceOf(Yuv420Image);
    const picture = (first as DecodedMessage).picture as Yuv420Image;
    expect(picture.convertedRgb).toBe(false);
    expect(meanAbsDiff(picture.data, frame(XS[0]))).toBeLessThan(4);
    expect(picture.convertedRgb).toBe(true);
    expect('picture' in (await video.decode(message(1, packets[1], 0)))).toBe(true);
    // seq 2 lost: 3 builds on it.
    expect(await video.decode(message(3, packets[3], 2))).toEqual({ outOfStep: true });
    // A keyframe claimed by a packet with no IDR slice is not one.
    expect(await video.decode({ ...message(4, packets[4], 3), keyframe: true } as FrameMessage)).toEqual({ outOfStep: true });
    // Bytes with no slice never reach the decoder.
    expect(await video.decode({ ...message(5, packets[5], 4), packet: Buffer.alloc(500, 0x5a) } as FrameMessage)).toEqual({ outOfStep: true });
    expect(counters.drops).toEqual(['video-out-of-step', 'video-out-of-step', 'video-out-of-step', 'corrupt']);
    expect(video.figures()).toEqual({ framesDecoded: 2, decoderStarts: 1, decoderErrors: 0, outOfStep: 3 });
  }));

  it('a garbage packet: counted, the decoder restarted, the next keyframe decodes', () => withDecoder(async (video, counters) => {
    await video.decode(message(0, packets[0]));
    const pid = video.decoderPid('cam');
    expect(await video.decode({ ...message(1, packets[1], 0), packet: garbage } as FrameMessage)).toEqual({ outOfStep: true });
    expect(video.decoderPid('cam')).not.toBe(pid);
    expect(await video.decode(message(2, packets[2], 1))).toEqual({ outOfStep: true });
    expect('picture' in (await video.decode(message(3, packets[0])))).toBe(true);
    expect(counters.drops).toEqual(['video-decoder-error', 'video-out-of-step']);
    expect(video.figures()).toEqual({ framesDecoded: 2, decoderStarts: 2, decoderErrors: 1, outOfStep: 1 });
  }));

  it('replaces a dead decoder: the error counted once, the next keyframe decodes on a new one', () => withDecoder(async (video, counters) => {
    await video.decode(message(0, packets[0]));
    const pid = video.decoderPid('cam')!;
    process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await video.decode(message(1, packets[1], 0))).toEqual({ outOfStep: true });
    expect('picture' in (await video.decode(message(2, packets[0])))).toBe(true);
    expect(video.decoderPid('cam')).not.toBe(pid);
    expect(video.figures()).toEqual({ framesDecoded: 2, decoderStarts: 2, decoderErrors: 1, outOfStep: 1 });
    expect(counters.drops).toEqual(['video-out-of-step']);
    await expect(video.decode({ ...message(3, packets[1], 2), packet: Buffer.alloc(0) } as FrameMessage)).rejects.toThrow(/without packet/);
  }));
});
