import { execFileSync } from 'node:child_process';
import { FramePool } from './frame-pool';
import { FrameReader, FrameSink, RawFrame, ReaderEnd } from './frame-reader';
import { resolveFfmpegPath } from './ffmpeg-path';
import { buildInvocation } from './source';

const SOURCE = 'testsrc2=size=160x120:rate=25:duration=2';
const FRAME_BYTES = 160 * 120 * 3;

/** Collects what a reader hands its sink; the frame's bytes are copied (the pool reuses the buffer). */
function collectingSink(onFrame?: (frame: RawFrame) => void) {
  const frames: Buffer[] = [];
  let pool: FramePool | undefined;
  let resolveEnd!: (end: ReaderEnd) => void;
  const ended = new Promise<ReaderEnd>((resolve) => (resolveEnd = resolve));
  const sink: FrameSink = {
    format: (_format, framePool) => (pool = framePool),
    frame: (frame) => {
      frames.push(Buffer.from(frame.data));
      pool?.release(frame.data);
      onFrame?.(frame);
    },
    corrupt: () => undefined,
    end: (end) => resolveEnd(end),
  };
  return { sink, frames, ended };
}

describe('FrameReader (ffmpeg frames over a loopback socket into pooled buffers)', () => {
  const invocation = buildInvocation({ source: `lavfi:${SOURCE}`, kind: 'lavfi', pace: false, loop: false, skipCorrupt: false });

  it('hands out exactly the frames ffmpeg writes to stdout, in order, then ends cleanly', async () => {
    const expected = execFileSync(resolveFfmpegPath(), [...invocation.inputOptions, '-i', invocation.input, ...invocation.outputOptions, 'pipe:1'], { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
    const { sink, frames, ended } = collectingSink();
    new FrameReader(invocation, resolveFfmpegPath(), sink).start();
    const end = await ended;
    expect(end).toMatchObject({ error: undefined, partialBytes: 0, stopped: false });
    expect(frames).toHaveLength(expected.length / FRAME_BYTES);
    expect(frames.length).toBe(50);
    expect(Buffer.concat(frames).equals(expected)).toBe(true);
  }, 30_000);

  it('reads yuv420p frames when asked: half the bytes of rgb24, the same bytes ffmpeg writes', async () => {
    const planar = buildInvocation({ source: `lavfi:${SOURCE}`, kind: 'lavfi', pace: false, loop: false, skipCorrupt: false, pixelFormat: 'yuv420p' });
    const expected = execFileSync(resolveFfmpegPath(), [...planar.inputOptions, '-i', planar.input, ...planar.outputOptions, 'pipe:1'], { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
    const formats: string[] = [];
    const { sink, frames, ended } = collectingSink((frame) => formats.push(frame.pixelFormat));
    new FrameReader(planar, resolveFfmpegPath(), sink).start();
    expect((await ended).error).toBeUndefined();
    expect(frames).toHaveLength(50);
    expect(frames[0].length).toBe(FRAME_BYTES / 2);
    expect(new Set(formats)).toEqual(new Set(['yuv420p']));
    expect(Buffer.concat(frames).equals(expected)).toBe(true);
  }, 30_000);

  it('stops on request: no frame after stop(), the end says stopped, ffmpeg has exited', async () => {
    const running: { reader?: FrameReader } = {};
    const { sink, frames, ended } = collectingSink(() => {
      if (frames.length === 3) void running.reader?.stop();
    });
    const paced = buildInvocation({ source: `lavfi:${SOURCE}`, kind: 'lavfi', pace: true, loop: false, skipCorrupt: false });
    const reader = new FrameReader(paced, resolveFfmpegPath(), sink);
    running.reader = reader;
    reader.start();
    const end = await ended;
    await reader.exited;
    expect(end.stopped).toBe(true);
    expect(frames).toHaveLength(3);
  }, 30_000);

  it('reports a source ffmpeg cannot open as an error, with its stderr', async () => {
    const bad = buildInvocation({ source: 'lavfi:nosuchfilter', kind: 'lavfi', pace: false, loop: false, skipCorrupt: false });
    const { sink, frames, ended } = collectingSink();
    new FrameReader(bad, resolveFfmpegPath(), sink).start();
    const end = await ended;
    expect(end.error).toBeInstanceOf(Error);
    expect(end.stderrTail.join('\n')).toMatch(/nosuchfilter/i);
    expect(frames).toHaveLength(0);
  }, 30_000);
});
