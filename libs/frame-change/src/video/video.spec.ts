import { VideoConfig } from '@sentinel/config';
import { spawnSync } from 'node:child_process';
import { yuv420pBytes } from '@sentinel/contracts';
import { resolveFfmpegPath } from '../ffmpeg/ffmpeg-path';
import { H264Encoder } from './h264-encoder';
import { MultipartPackets, isKeyframe, nalTypes } from './multipart-packets';

const part = (bytes: Buffer) => Buffer.concat([Buffer.from(`--ffmpeg\r\nContent-type: image/jpeg\r\nContent-length: ${bytes.length}\r\n\r\n`), bytes, Buffer.from('\r\n')]);

describe('MultipartPackets', () => {
  it('cuts packets out of parts split anywhere across chunks', () => {
    const a = Buffer.from([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x65, 1, 2, 3]);
    const b = Buffer.from([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x41, 9]);
    const stream = Buffer.concat([part(a), part(b)]);
    for (const cut of [1, 7, 40, stream.length - 1]) {
      const parser = new MultipartPackets();
      const packets = [...parser.push(stream.subarray(0, cut)), ...parser.push(stream.subarray(cut))];
      expect(packets).toEqual([a, b]);
    }
    expect(nalTypes(a)).toEqual([9, 5]);
    expect([isKeyframe(a), isKeyframe(b)]).toEqual([true, false]);
  });

  it('rejects a stream that is not multipart', () => {
    expect(() => new MultipartPackets().push(Buffer.alloc(2048, 7))).toThrow(/not a multipart packet stream/);
    expect(() => new MultipartPackets().push(Buffer.from('--ffmpeg\r\nContent-type: x\r\n\r\n'))).toThrow(/without Content-length/);
  });
});

/** A 64x48 rgb24 frame with a bright square at column x. */
function frame(x: number): Buffer {
  const data = Buffer.alloc(64 * 48 * 3, 40);
  for (let y = 10; y < 26; y++) for (let c = x; c < x + 16; c++) data.fill(220, (y * 64 + c) * 3, (y * 64 + c) * 3 + 3);
  return data;
}

describe('H264Encoder (bundled ffmpeg, libx264)', () => {
  const video = { ...new VideoConfig(), crf: 23, keyframeIntervalS: 100 };

  it('gives one packet per frame in order: a keyframe first, small inter frames, a repeated frame tiny, a keyframe after restart', async () => {
    const encoder = new H264Encoder(resolveFfmpegPath(), { width: 64, height: 48, fps: 10, pixelFormat: 'rgb24' }, video);
    try {
      const moving = await Promise.all([0, 4, 8, 12, 16].map((x) => encoder.encode(frame(x))));
      const repeated = await encoder.encode(frame(16));
      encoder.restart();
      const after = await encoder.encode(frame(20));
      expect(moving.map((p) => p.keyframe)).toEqual([true, false, false, false, false]);
      expect(moving.every((p) => nalTypes(p.data)[0] === 9)).toBe(true);
      expect(repeated.keyframe).toBe(false);
      expect(repeated.data.length).toBeLessThan(moving[4].data.length);
      expect(repeated.data.length).toBeLessThan(moving[0].data.length / 4);
      expect(after.keyframe).toBe(true);
    } finally {
      await encoder.close();
    }
  });

  it('rejects the frames owed by a crashed ffmpeg and starts a new stream (keyframe) on the next frame', async () => {
    const encoder = new H264Encoder(resolveFfmpegPath(), { width: 64, height: 48, fps: 10, pixelFormat: 'rgb24' }, video);
    try {
      await encoder.encode(frame(0));
      process.kill(encoder.pid!, 'SIGKILL');
      await expect(encoder.encode(frame(4))).rejects.toThrow(/H.264 encoder exited|EPIPE|write/);
      const next = await encoder.encode(frame(8));
      expect(next.keyframe).toBe(true);
      await expect(encoder.encode(Buffer.alloc(10))).rejects.toThrow(/the encoder takes 9216/);
    } finally {
      await encoder.close();
    }
  });

  it('takes yuv420p frames as they are: what it encodes decodes back to the same picture', async () => {
    const width = 64, height = 48;
    const yuvFrame = (x: number) => {
      const data = Buffer.alloc(yuv420pBytes(width, height), 128);
      data.fill(40, 0, width * height);
      for (let y = 10; y < 26; y++) data.fill(220, y * width + x, y * width + x + 16);
      return data;
    };
    const encoder = new H264Encoder(resolveFfmpegPath(), { width, height, fps: 10, pixelFormat: 'yuv420p' }, { ...video, crf: 18 });
    let packets: Buffer[];
    try {
      packets = (await Promise.all([0, 8, 16].map((x) => encoder.encode(yuvFrame(x))))).map((p) => p.data);
      await expect(encoder.encode(Buffer.alloc(width * height * 3))).rejects.toThrow(/the encoder takes 4608 \(yuv420p 64x48\)/);
    } finally {
      await encoder.close();
    }
    const decoded = spawnSync(resolveFfmpegPath(), ['-hide_banner', '-loglevel', 'error', '-f', 'h264', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { input: Buffer.concat(packets) });
    expect(decoded.stdout.length).toBe(3 * yuv420pBytes(width, height));
    const last = decoded.stdout.subarray(2 * yuv420pBytes(width, height));
    // The square moved to column 16: bright there, dark where it was at first.
    expect(last[18 * width + 20]).toBeGreaterThan(200);
    expect(last[18 * width + 4]).toBeLessThan(60);
  });
});
