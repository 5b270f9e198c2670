import { ReportUsageError, parseCameraCount, parseReportArgs } from './report-main';

describe('parseReportArgs --cameras', () => {
  const parse = (...argv: string[]) => {
    const options = parseReportArgs(['--source', 'clip.avi', '--model', 'm.onnx', '--family', 'yolov5', ...argv]);
    if (options === 'help' || 'render' in options) throw new Error('expected run options');
    return options;
  };

  it('defaults to one camera', () => {
    expect(parse().cameras).toBe(1);
  });

  it('takes N as a separate value or after =', () => {
    expect(parse('--cameras', '3').cameras).toBe(3);
    expect(parse('--cameras=12').cameras).toBe(12);
  });

  it.each(['0', '-2', '1.5', 'two', '3x', ' '])('rejects --cameras %j with a usage error', (value) => {
    expect(() => parse('--cameras', value)).toThrow(ReportUsageError);
    expect(() => parse('--cameras', value)).toThrow(/--cameras/);
  });

  it('needs a value', () => {
    expect(() => parse('--cameras')).toThrow('--cameras needs a value');
  });
});

describe('parseCameraCount', () => {
  it('reads whole numbers from 1 up', () => {
    expect(parseCameraCount(undefined)).toBe(1);
    expect(parseCameraCount('1')).toBe(1);
    expect(parseCameraCount('40')).toBe(40);
    expect(() => parseCameraCount('1e2')).toThrow(ReportUsageError);
  });
});
