import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { galleryCenter, projectEmbedding } from '../matching/centering';
import { normalized } from '../matching/vectors';
import { Gallery, GalleryOptions, NotFoundInGalleryError } from './gallery';
import { GalleryStore } from './gallery-store';

const DIM = 64;

/** xorshift noise, deterministic. */
function noise(seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: DIM }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296 - 0.5;
  });
}

/** An identity's "face": its centre plus a little per-image noise (cosine to the centre ~0.95). */
function faceOf(identity: number, image: number): Float32Array {
  const centre = normalized(noise(1000 + identity));
  const jitter = normalized(noise(50_000 + identity * 100 + image));
  return centre.map((v, i) => v + 0.3 * jitter[i]);
}

const options = (overrides: Partial<GalleryOptions> = {}): GalleryOptions => ({
  model: 'faceres',
  matcher: 'int8',
  rerankCandidates: 16,
  aggregate: 'best',
  topK: 3,
  thresholds: () => ({ upper: 0.6, lower: 0.5 }),
  unknownFacesPerIdentity: 3,
  ...overrides,
});

const sighting = (t: number) => ({ cameraId: 'cam-a', capturedAt: t, trackId: t, crop: Buffer.from([t & 0xff]), quality: 0.5 });

describe('Gallery', () => {
  let dir: string;
  let store: GalleryStore;
  let gallery: Gallery;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gallery-'));
    store = new GalleryStore(join(dir, 'g.sqlite'));
    gallery = new Gallery(store, options());
    gallery.load();
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const enrollPeople = (count: number) =>
    Array.from({ length: count }, (_, identity) => {
      const person = gallery.createPerson(`person ${identity}`);
      for (let image = 0; image < 2; image++) gallery.enroll(person.id, faceOf(identity, image), `h${identity}-${image}`, 0.9);
      return person;
    });

  it('identifies enrolled people and treats everyone else as unknown', () => {
    const people = enrollPeople(5);
    const result = gallery.identify(faceOf(3, 7), sighting(1));
    expect(result).toMatchObject({ known: true, personId: people[3].id, name: 'person 3' });
    expect(result.similarity).toBeGreaterThan(0.8);
    const stranger = gallery.identify(faceOf(42, 0), sighting(2));
    expect(stranger).toMatchObject({ known: false, unknownId: 'unknown-1', isNew: true, sightings: 1 });
    expect(store.counts()).toMatchObject({ people: 5, faces: 10, unknowns: 1, unknownFaces: 1 });
  });

  it('gives a returning stranger the same unknown id, and a second stranger a new one', () => {
    enrollPeople(2);
    const first = gallery.identify(faceOf(42, 0), sighting(1));
    const again = gallery.identify(faceOf(42, 1), sighting(2));
    const other = gallery.identify(faceOf(43, 0), sighting(3));
    expect(first).toMatchObject({ known: false, unknownId: 'unknown-1', isNew: true });
    expect(again).toMatchObject({ known: false, unknownId: 'unknown-1', isNew: false, sightings: 2 });
    expect(other).toMatchObject({ known: false, unknownId: 'unknown-2', isNew: true });
  });

  it('keeps at most unknownFacesPerIdentity faces of a stranger, in the database and the matcher alike', () => {
    for (let i = 0; i < 6; i++) gallery.identify(faceOf(42, i), sighting(i));
    expect(store.getUnknown('unknown-1')).toMatchObject({ sightings: 6, faceCount: 3 });
    expect(gallery.unknownVectors).toBe(3);
  });

  it('keeps the matcher equal to the database rows through enroll, delete and promote', () => {
    const people = enrollPeople(3);
    const [firstFace] = store.facesOf(people[1].id);
    gallery.deleteFace(people[1].id, firstFace.id);
    gallery.deletePerson(people[0].id);
    gallery.identify(faceOf(42, 0), sighting(1));
    const promoted = gallery.promoteUnknown('unknown-1', 'Stranger Named');
    const matrix = gallery.knownMatrix();
    const rows = store.allFaceEmbeddings();
    expect(matrix.keys.slice().sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
    for (const row of rows) {
      const at = matrix.keys.indexOf(row.id);
      const stored = matrix.vectors.subarray(at * matrix.stride, at * matrix.stride + DIM);
      const expected = normalized(row.embedding);
      stored.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    }
    expect(gallery.unknownVectors).toBe(0);
    expect(gallery.identify(faceOf(42, 3), sighting(2))).toMatchObject({ known: true, personId: promoted.id });
  });

  it('forgets strangers not seen since a cutoff, in the database and the matcher', () => {
    gallery.identify(faceOf(42, 0), sighting(100));
    gallery.identify(faceOf(43, 0), sighting(200));
    gallery.identify(faceOf(42, 1), sighting(300)); // unknown-1 seen again at 300
    gallery.identify(faceOf(44, 0), sighting(150));
    expect(gallery.forgetUnknownsSeenBefore(250)).toBe(2);
    expect(store.listUnknowns().map((u) => u.id)).toEqual(['unknown-1']);
    expect(gallery.unknownVectors).toBe(2);
    // A forgotten stranger coming back is a new unknown with a new id.
    expect(gallery.identify(faceOf(43, 1), sighting(400))).toMatchObject({ unknownId: 'unknown-4', isNew: true });
  });

  it('finds the same people after a restart (reload from SQLite)', () => {
    const people = enrollPeople(4);
    gallery.identify(faceOf(42, 0), sighting(1));
    store.close();
    const reopened = new GalleryStore(join(dir, 'g.sqlite'));
    const restarted = new Gallery(reopened, options({ matcher: 'exact' }));
    expect(restarted.load()).toEqual({ faces: 8, unknownFaces: 1, skipped: 0 });
    expect(restarted.identify(faceOf(2, 9), sighting(2))).toMatchObject({ known: true, personId: people[2].id });
    expect(restarted.identify(faceOf(42, 5), sighting(3))).toMatchObject({ known: false, unknownId: 'unknown-1', isNew: false });
    store = reopened;
  });

  it('skips vectors of another model at load and does not mix them', () => {
    const person = gallery.createPerson('old');
    store.addFace(person.id, faceOf(1, 0), 'x', 0.9, 'mobilefacenet');
    expect(gallery.load()).toEqual({ faces: 0, unknownFaces: 0, skipped: 1 });
  });

  it('stores an image enrolled twice once', () => {
    const person = gallery.createPerson('p');
    const first = gallery.enroll(person.id, faceOf(1, 0), 'same-hash', 0.9);
    const second = gallery.enroll(person.id, faceOf(1, 0), 'same-hash', 0.9);
    expect(second).toEqual({ face: first.face, duplicate: true });
    expect(gallery.knownVectors).toBe(1);
  });

  it('reports unknown people, faces and unknowns as NotFoundInGalleryError', () => {
    expect(() => gallery.getPerson('nope')).toThrow(NotFoundInGalleryError);
    expect(() => gallery.enroll('nope', faceOf(1, 0), 'h', 1)).toThrow(/person nope not found/);
    expect(() => gallery.deleteFace('nope', 1)).toThrow(NotFoundInGalleryError);
    expect(() => gallery.promoteUnknown('unknown-5', 'x')).toThrow(NotFoundInGalleryError);
    expect(() => gallery.deleteUnknown('garbage')).toThrow(NotFoundInGalleryError);
    expect(() => gallery.unknownCrop('unknown-1')).toThrow(NotFoundInGalleryError);
  });

  it('rejects an embedding of another size than the gallery holds', () => {
    enrollPeople(1);
    expect(() => gallery.identify(new Float32Array(10).fill(1), sighting(1))).toThrow(/10 values but the gallery holds 64-d/);
  });

  it('ranks by the mean of the top k with topk-mean', () => {
    const topk = new Gallery(store, options({ aggregate: 'topk-mean', topK: 2 }));
    topk.load();
    const person = topk.createPerson('p');
    topk.enroll(person.id, faceOf(1, 0), 'a', 1);
    topk.enroll(person.id, faceOf(1, 1), 'b', 1);
    const [ranked] = topk.rankPeople(faceOf(1, 2));
    expect(ranked.similarity).toBeLessThanOrEqual(ranked.best);
    expect(ranked.similarity).toBeGreaterThan(0.6);
  });

  it('with gallery centering, compares embeddings minus the enrolled people\'s mean face and re-centres on every change', () => {
    const centred = new Gallery(store, options({ centering: 'gallery', matcher: 'exact' }));
    centred.load();
    const people = [1, 2, 3].map((n) => centred.createPerson(`p${n}`));
    people.forEach((person, n) => centred.enroll(person.id, faceOf(n + 1, 0).map((v) => v + 1), `h${n}`, 1));
    const common = (face: Float32Array) => face.map((v) => v + 1); // a shared component all faces carry
    const query = common(faceOf(2, 1));
    const expected = projectEmbedding(query, galleryCenter([1, 2, 3].map((n) => [common(faceOf(n, 0))])));
    const [best] = centred.rankPeople(query);
    expect(best.ownerId).toBe(people[1].id);
    const row = centred.knownMatrix();
    const slot = row.keys.indexOf(centred.facesOf(people[1].id)[0].id);
    const stored = projectEmbedding(common(faceOf(2, 0)), galleryCenter([1, 2, 3].map((n) => [common(faceOf(n, 0))])));
    let dot = 0;
    for (let i = 0; i < DIM; i++) dot += expected[i] * stored[i];
    expect(best.similarity).toBeCloseTo(dot, 5);
    // Raw cosine of these faces is high for everybody (the shared component); centred, strangers fall apart.
    expect(centred.rankPeople(common(faceOf(9, 0)))[0].similarity).toBeLessThan(0.5);
    expect(Array.from(row.vectors.subarray(slot * row.stride, slot * row.stride + DIM))).toEqual(Array.from(stored).map((v) => expect.closeTo(v, 5)));
    // A fourth person moves the mean: the stored rows are rebuilt, and a reload gives the same answer.
    centred.enroll(centred.createPerson('p4').id, common(faceOf(4, 0)), 'h4', 1);
    const after = centred.rankPeople(query)[0].similarity;
    expect(after).not.toBeCloseTo(best.similarity, 4);
    const reloaded = new Gallery(store, options({ centering: 'gallery', matcher: 'exact' }));
    reloaded.load();
    expect(reloaded.rankPeople(query)[0].similarity).toBeCloseTo(after, 6);
  });

  it('compares raw cosines with the raw thresholds until a second person gives a mean face, then centered ones', () => {
    const spaces: string[] = [];
    const centred = new Gallery(store, options({
      centering: 'gallery',
      matcher: 'exact',
      thresholds: (space) => (spaces.push(space), space === 'raw' ? { upper: 0.99, lower: 0.9 } : { upper: 0.3, lower: 0.2 }),
    }));
    centred.load();
    const common = (face: Float32Array) => face.map((v) => v + 1);
    expect(centred.space).toBe('raw');
    const first = centred.createPerson('p1');
    centred.enroll(first.id, common(faceOf(1, 0)), 'h1', 1);
    expect(centred.space).toBe('raw');
    // A stranger shares the common component: a raw cosine far above the centered threshold, below the raw one.
    const stranger = centred.recognize(common(faceOf(9, 0)));
    expect(stranger.similarity).toBeGreaterThan(0.3);
    expect(stranger.person).toBeUndefined();
    expect(centred.thresholds()).toEqual({ upper: 0.99, lower: 0.9 });
    centred.enroll(centred.createPerson('p2').id, common(faceOf(2, 0)), 'h2', 1);
    expect(centred.space).toBe('centered');
    expect(centred.thresholds()).toEqual({ upper: 0.3, lower: 0.2 });
    expect(centred.recognize(common(faceOf(1, 1))).person?.id).toBe(first.id);
    expect(spaces).toContain('raw');
    expect(new Gallery(store, options({ centering: 'none' })).space).toBe('raw');
  });
});
