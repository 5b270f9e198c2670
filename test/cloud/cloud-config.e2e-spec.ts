import { ConfigError, loadConfig } from '@sentinel/config';
import { galleryFileOf } from '@sentinel/face-recognition';
import { createCloudTestApp, tempDataDir } from './support';

describe('cloud configuration', () => {
  const problemsOf = (sets: string[]): string[] => {
    try {
      loadConfig({ sets });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('has working defaults', () => {
    const { cloud } = loadConfig({});
    expect(cloud).toMatchObject({ galleryPath: 'gallery.sqlite', descriptionModel: 'faceres', alignFaces: true, centering: 'gallery', matchThreshold: 0.29, unknownThreshold: 0.2, rawMatchThreshold: 0.63, rawUnknownThreshold: 0.54, matcher: 'int8', aggregate: 'best' });
    expect(cloud).toMatchObject({ trackEndMs: 10_000, trackEndFaces: 3, trackEndThreshold: 0.2, trackEndMargin: 0.07, rawTrackEndThreshold: 0.54, rawTrackEndMargin: 0 });
  });

  it('lists every bad cloud key clearly', () => {
    expect(problemsOf(['cloud.matcher=fast'])).toEqual(['cloud.matcher: matcher must be one of: int8, exact']);
    expect(problemsOf(['cloud.aggregate=mean'])).toEqual(['cloud.aggregate: aggregate must be one of: best, topk-mean']);
    expect(problemsOf(['cloud.matchThreshold=1.5'])[0]).toMatch(/cloud.matchThreshold: matchThreshold must not be greater than 1/);
    expect(problemsOf(['cloud.matchThreshold=high'])[0]).toMatch(/cloud.matchThreshold: .*number/);
    expect(problemsOf(['cloud.unknownThreshold=0.5'])[0]).toMatch(/cloud.unknownThreshold: unknownThreshold must not exceed matchThreshold/);
    expect(problemsOf(['cloud.rawUnknownThreshold=0.7'])[0]).toMatch(/cloud.rawUnknownThreshold: rawUnknownThreshold must not exceed rawMatchThreshold/);
    expect(problemsOf(['cloud.rawMatchThreshold=2'])[0]).toMatch(/cloud.rawMatchThreshold: rawMatchThreshold must not be greater than 1/);
    expect(problemsOf(['cloud.centering=whiten'])[0]).toMatch(/cloud.centering: centering must be one of: gallery, none/);
    expect(problemsOf(['cloud.maxUploadBytes=10'])[0]).toMatch(/cloud.maxUploadBytes: maxUploadBytes must not be less than 1024/);
    expect(problemsOf(['cloud.galleryPath=""'])[0]).toMatch(/cloud.galleryPath/);
    expect(problemsOf(['cloud.gallery=x'])).toEqual(['cloud.gallery: unknown key']);
    expect(problemsOf(['cloud.trackEndMs=120000'])[0]).toMatch(/cloud.trackEndMs: trackEndMs must be below trackIdleMs/);
    expect(problemsOf(['cloud.trackEndMargin=-0.1'])[0]).toMatch(/cloud.trackEndMargin/);
  });

  it('puts a relative gallery path under dataDir and keeps absolute ones', () => {
    expect(galleryFileOf(loadConfig({ sets: ['dataDir=/srv/sentinel'] }))).toBe('/srv/sentinel/gallery.sqlite');
    expect(galleryFileOf(loadConfig({ sets: ['cloud.galleryPath=/data/g.db'] }))).toBe('/data/g.db');
    const config = loadConfig({});
    config.cloud.galleryPath = ':memory:';
    expect(galleryFileOf(config)).toBe(':memory:');
  });

  it('fails at boot, naming the file, when the description model does not exist', async () => {
    const data = tempDataDir('cloud-config-');
    try {
      await expect(createCloudTestApp(data.dir, ['cloud.descriptionModel=/nowhere/model.json'])).rejects.toThrow(/\/nowhere\/model.json.*not found/);
    } finally {
      data.remove();
    }
  });
});
