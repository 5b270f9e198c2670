import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileLoadRouter, readModelArtifacts } from './model-files';
import { humanModelsDir, resolveModelJson } from './paths';

describe('model files', () => {
  it('reads a bundled model with its weights, signature and metadata', async () => {
    const artifacts = await readModelArtifacts(resolveModelJson('faceres'));
    expect(artifacts.weightData.byteLength).toBe(statSync(join(humanModelsDir(), 'faceres.bin')).size);
    expect(artifacts.weightSpecs.length).toBeGreaterThan(0);
    expect(artifacts.signature).toBeDefined();
  });

  it('routes only file:// urls', () => {
    expect(fileLoadRouter('https://example.org/model.json')).toBeNull();
    expect(fileLoadRouter(`file://${resolveModelJson('blazeface')}`)).not.toBeNull();
  });

  it('names a missing model clearly', () => {
    expect(() => resolveModelJson('no-such-model')).toThrow(/no-such-model.*not found/);
  });
});
