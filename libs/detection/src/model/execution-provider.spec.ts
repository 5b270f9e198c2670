import { chooseExecutionProvider, providerStartFailure } from './execution-provider';

const linuxBuild = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];

describe('chooseExecutionProvider', () => {
  it('runs cpu whatever the build says', () => {
    expect(chooseExecutionProvider('cpu', linuxBuild)).toEqual({ ok: true, providers: ['cpu'] });
    expect(chooseExecutionProvider('cpu', undefined)).toEqual({ ok: true, providers: ['cpu'] });
  });

  it('asks for a provider the build lists, bundled or not (the session creation decides)', () => {
    expect(chooseExecutionProvider('cuda', linuxBuild)).toEqual({ ok: true, providers: ['cuda'] });
    expect(chooseExecutionProvider('webgpu', linuxBuild)).toEqual({ ok: true, providers: ['webgpu'] });
  });

  it('refuses a provider the build does not have, listing what it has', () => {
    expect(chooseExecutionProvider('coreml', linuxBuild)).toEqual({
      ok: false,
      reason: 'this onnxruntime-node build has no coreml provider (it lists: cpu, webgpu, cuda (not bundled), tensorrt (not bundled)); use cpu or a build with coreml',
    });
  });

  it('says why a listed provider may not start', () => {
    expect(providerStartFailure('cuda', linuxBuild, 'Failed to load shared library')).toMatch(/^onnxruntime could not start the cuda execution provider \(this build does not bundle cuda: .*ONNXRUNTIME_NODE_INSTALL=skip.*\): Failed to load shared library; the model itself loads on cpu$/);
    expect(providerStartFailure('webgpu', linuxBuild, 'no adapter')).toBe('onnxruntime could not start the webgpu execution provider: no adapter; the model itself loads on cpu');
  });
});
