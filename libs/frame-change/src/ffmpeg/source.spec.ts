import { frameBytes } from '@sentinel/contracts';
import { buildInvocation, isDecodeErrorLine, isPermanentError, parseOutputFormat, resolveSourceKind } from './source';

describe('ffmpeg sources', () => {
  it('guesses the kind of a source from its spelling', () => {
    expect(resolveSourceKind('/data/vtest.avi')).toBe('file');
    expect(resolveSourceKind('rtsp://cam.local/1')).toBe('stream');
    expect(resolveSourceKind('https://cam.local/live.m3u8')).toBe('stream');
    expect(resolveSourceKind('weird://x')).toBe('stream');
    expect(resolveSourceKind('/dev/video0')).toBe('device');
    expect(resolveSourceKind('lavfi:testsrc2')).toBe('lavfi');
    expect(resolveSourceKind('/dev/video0', 'file')).toBe('file');
  });

  it('builds a raw rgb24 pipe command: paced and looping files, rtsp over tcp, scaling and rate', () => {
    const file = buildInvocation({ source: 'a.avi', kind: 'file', pace: true, loop: true, skipCorrupt: true, fps: 5, width: 640 });
    expect(file.inputOptions).toEqual(expect.arrayContaining(['-re', '-stream_loop', '-1', '-err_detect']));
    expect(file.outputOptions.join(' ')).toContain('-vf fps=5,scale=640:-2 -vsync passthrough -f rawvideo -pix_fmt rgb24');
    const rtsp = buildInvocation({ source: 'rtsp://cam/1', kind: 'stream', pace: true, loop: false, skipCorrupt: false });
    expect(rtsp.inputOptions).toEqual(expect.arrayContaining(['-rtsp_transport', 'tcp']));
    expect(rtsp.inputOptions).not.toContain('-re');
    expect(rtsp.inputOptions).not.toContain('-err_detect');
    const lavfi = buildInvocation({ source: 'lavfi:testsrc2=r=5', kind: 'lavfi', pace: false, loop: false, skipCorrupt: true });
    expect(lavfi.input).toBe('testsrc2=r=5');
    expect(lavfi.inputOptions).toEqual(expect.arrayContaining(['-f', 'lavfi']));
    const resumed = buildInvocation({ source: 'a.avi', kind: 'file', pace: false, loop: false, skipCorrupt: true, startSeconds: 12.5 });
    expect(resumed.inputOptions).toEqual(expect.arrayContaining(['-ss', '12.500']));
    const planar = buildInvocation({ source: 'a.avi', kind: 'file', pace: false, loop: false, skipCorrupt: false, pixelFormat: 'yuv420p' });
    expect(planar.outputOptions.join(' ')).toContain('-f rawvideo -pix_fmt yuv420p');
  });

  it('sizes raw frames by layout: 3 bytes a pixel for rgb24, luma plus quarter-size chroma (rounded up) for yuv420p', () => {
    expect(frameBytes(768, 576, 'rgb24')).toBe(768 * 576 * 3);
    expect(frameBytes(768, 576, 'yuv420p')).toBe(768 * 576 * 1.5);
    expect(frameBytes(5, 3, 'yuv420p')).toBe(15 + 2 * 3 * 2);
  });

  it("reads the output size and rate from ffmpeg's stream line", () => {
    expect(parseOutputFormat('    Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24, 768x576, q=2-31, 106168 kb/s, 10 fps, 10 tbn, 10 tbc')).toEqual({ width: 768, height: 576, fps: 10, pixelFormat: 'rgb24' });
    expect(parseOutputFormat('    Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24, 320x240 [SAR 1:1 DAR 4:3], q=2-31, 18432 kb/s, 25 fps')).toEqual({ width: 320, height: 240, fps: 25, pixelFormat: 'rgb24' });
    expect(parseOutputFormat('    Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv420p, 768x576, q=2-31, 53084 kb/s, 10 fps, 10 tbn')).toEqual({ width: 768, height: 576, fps: 10, pixelFormat: 'yuv420p' });
    expect(parseOutputFormat('    Stream #0:0: Video: msmpeg4v3 (div3 / 0x33766964), yuv420p, 768x576, 952 kb/s, 10 fps')).toBeUndefined();
  });

  it('tells decode errors and permanent failures apart', () => {
    expect(isDecodeErrorLine('Error while decoding stream #0:0: Invalid data found when processing input')).toBe(true);
    expect(isDecodeErrorLine('[msmpeg4 @ 0x1] ac-tex damaged at 43 10')).toBe(false);
    expect(isPermanentError('ffmpeg exited with code 1: /x.avi: No such file or directory')).toBe(true);
    expect(isPermanentError('ffmpeg exited with code 1: weird://x: Protocol not found')).toBe(true);
    expect(isPermanentError('ffmpeg exited with code 1: Connection refused')).toBe(false);
    expect(isPermanentError('ffmpeg was killed with signal SIGKILL')).toBe(false);
  });
});
