import { GalleryStore } from './gallery-store';
import { NewSightingRecord, SightingsStore } from './sightings-store';

const row = (over: Partial<NewSightingRecord>): NewSightingRecord => ({
  cameraId: 'cam-a', trackId: 1, capturedAt: 1000, decidedAt: 1001, decision: 'named', identityId: 'p1', name: 'amy',
  similarity: 0.4, facesPooled: 1, faceSize: 100, faceQuality: 0.9, mergedFrom: null, ...over,
});

describe('SightingsStore', () => {
  let store: GalleryStore;
  beforeEach(() => (store = new GalleryStore(':memory:')));
  afterEach(() => store.close());

  it('filters by camera, identity, decision and time (since inclusive, until exclusive), newest first, with the total', () => {
    const sightings = new SightingsStore(store.db, 1000);
    sightings.add(row({ capturedAt: 1000 }));
    sightings.add(row({ capturedAt: 2000, cameraId: 'cam-b', decision: 'unknown', identityId: 'unknown-1', name: null }));
    sightings.add(row({ capturedAt: 3000, decision: 'undecided', identityId: 'p1', name: null }));
    sightings.add(row({ capturedAt: 4000, identityId: 'p2', name: 'raj' }));
    const page = (filter: object) => sightings.list({ limit: 10, offset: 0, ...filter });
    expect(page({}).items.map((s) => s.capturedAt)).toEqual([4000, 3000, 2000, 1000]);
    expect(page({ cameraId: 'cam-b' }).items).toEqual([expect.objectContaining({ decision: 'unknown', identityId: 'unknown-1', name: null })]);
    expect(page({ identityId: 'p1' }).items.map((s) => s.decision)).toEqual(['undecided', 'named']);
    expect(page({ decision: 'named' }).total).toBe(2);
    expect(page({ since: 2000, until: 4000 }).items.map((s) => s.capturedAt)).toEqual([3000, 2000]);
    expect(sightings.list({ limit: 1, offset: 1 })).toMatchObject({ total: 4, items: [expect.objectContaining({ capturedAt: 3000 })] });
  });

  it('keeps at most maxRows: the oldest go first', () => {
    const sightings = new SightingsStore(store.db, 3);
    for (let i = 0; i < 5; i++) sightings.add(row({ capturedAt: i }));
    expect(sightings.prune()).toBe(2);
    expect(sightings.list({ limit: 10, offset: 0 }).items.map((s) => s.capturedAt)).toEqual([4, 3, 2]);
    expect(() => sightings.add(row({ decision: 'maybe' as never }))).toThrow(/CHECK/);
  });
});
