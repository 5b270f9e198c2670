import { CliError, cameraIdOfSource, parseCli } from './cli';

describe('parseCli', () => {
  it('reads flags in both --flag value and --flag=value forms', () => {
    expect(parseCli(['--tier=fog', '--config', 'config/fog.yaml', '--set', 'a.b=1', '--set=c=2', '--port', '8080', '--source', 'a.mp4'])).toEqual({
      help: false, tier: 'fog', configFile: 'config/fog.yaml', sets: ['a.b=1', 'c=2'], port: '8080', sources: ['a.mp4'],
    });
  });

  it('rejects unknown arguments and flags without a value', () => {
    expect(() => parseCli(['--verbose'])).toThrow(CliError);
    expect(() => parseCli(['--tier'])).toThrow('--tier needs a value');
  });
});

describe('cameraIdOfSource', () => {
  it('derives safe ids from files and URLs', () => {
    expect(cameraIdOfSource('../shared/data/vtest.avi', 0)).toBe('vtest');
    expect(cameraIdOfSource('rtsp://user:pw@10.0.0.5:554/stream 1', 0)).toBe('10.0.0.5-stream-1');
    expect(cameraIdOfSource('/dev/video0', 1)).toBe('video0-2');
  });
});
