import { loadConfig } from '../load-config';

describe('fog.faces config', () => {
  it('has defaults, takes overrides and rejects bad values with the key named', () => {
    const faces = loadConfig({ sets: [] }).fog.faces;
    expect(faces).toMatchObject({ searchEveryFrames: 5, minFaceSize: 28, goodFaceSize: 80, appearanceMinOverlap: 0.3, sceneChangeFraction: 0.3, sceneCellDelta: 24 });
    expect(loadConfig({ sets: ['fog.faces.searchEveryFrames=10', 'fog.faces.minFaceSize=40'] }).fog.faces).toMatchObject({ searchEveryFrames: 10, minFaceSize: 40 });
    expect(() => loadConfig({ sets: ['fog.faces.searchEveryFrames=0'] })).toThrow(/searchEveryFrames/);
    expect(() => loadConfig({ sets: ['fog.faces.minFaceSize=100'] })).toThrow(/goodFaceSize must be larger than minFaceSize/);
    expect(() => loadConfig({ sets: ['fog.faces.sceneChangeFraction=1.5'] })).toThrow(/sceneChangeFraction/);
    expect(() => loadConfig({ sets: ['fog.faces.nonsense=1'] })).toThrow(/nonsense/);
    expect(() => loadConfig({ sets: ['fog.faces.sizeWeight=0', 'fog.faces.scoreWeight=0', 'fog.faces.sharpnessWeight=0', 'fog.faces.frontalWeight=0'] })).toThrow(/must not all be 0/);
    expect(loadConfig({ sets: ['fog.faces.sizeWeight=0', 'fog.faces.scoreWeight=0', 'fog.faces.sharpnessWeight=0'] }).fog.faces.frontalWeight).toBe(0.25);
  });

  it('default crop policy: one face search per frame, searches 400 ms apart at least, a later face sent when 1.25x better', () => {
    expect(loadConfig({ sets: [] }).fog.crops).toMatchObject({ maxSearchesPerFrame: 1, retryIntervalMs: 400, betterFactor: 1.25, maxPerTrack: 3 });
  });
});
