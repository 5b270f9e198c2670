import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { linkRolesOfProcess, modulesOfProcess } from './placement';
import { loadConfig } from './load-config';

const CONFIG_DIR = join(__dirname, '..', '..', '..', 'config');

describe('the shipped config files', () => {
  const files = readdirSync(CONFIG_DIR).filter((file) => file.endsWith('.yaml'));

  it('are all there', () => {
    expect(files.sort()).toEqual(['cloud.yaml', 'default.yaml', 'fog.yaml', 'roof.yaml']);
  });

  it.each(files)('%s is valid', (file) => {
    expect(() => loadConfig({ file: join(CONFIG_DIR, file) })).not.toThrow();
  });

  it('place every module exactly once across the three machines, each link with one consumer', () => {
    const tiers = ['roof', 'fog', 'cloud'].map((tier) => loadConfig({ file: join(CONFIG_DIR, `${tier}.yaml`) }));
    expect(tiers.flatMap(modulesOfProcess).sort()).toEqual(['detection', 'face-recognition', 'frame-change', 'notification']);
    const consumers = tiers.flatMap((config) => linkRolesOfProcess(config).filter((role) => role.consumes).map((role) => role.link));
    expect(consumers.sort()).toEqual(['fogToCloud', 'notification', 'roofToFog']);
  });

  it('default.yaml equals the embedded defaults where it sets values', () => {
    const fromFile = loadConfig({ file: join(CONFIG_DIR, 'default.yaml') });
    const embedded = loadConfig({});
    expect(fromFile.links).toEqual(embedded.links);
    expect(fromFile.placement).toEqual(embedded.placement);
    expect(fromFile.http).toEqual(embedded.http);
  });
});
