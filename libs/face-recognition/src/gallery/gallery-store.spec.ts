import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GalleryStore, unknownIdOf, unknownSeqOf } from './gallery-store';
import { MIGRATIONS, SCHEMA_VERSION_LATEST, migrate } from './migrations';

describe('GalleryStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gallery-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the schema at the latest version and reopens without re-running migrations', () => {
    const path = join(dir, 'nested', 'g.sqlite');
    const store = new GalleryStore(path);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION_LATEST);
    store.createPerson('p1', 'Amy', null, 1);
    store.close();
    const again = new GalleryStore(path);
    expect(migrate(again.db)).toEqual([]);
    expect(again.listPeople().map((p) => p.name)).toEqual(['Amy']);
    again.close();
  });

  it('upgrades a version-1 database keeping its rows', () => {
    const path = join(dir, 'v1.sqlite');
    const db = new Database(path);
    expect(migrate(db, MIGRATIONS.slice(0, 1))).toEqual([1]);
    db.prepare("INSERT INTO people VALUES ('p1', 'Raj', 'notes', 5, 5)").run();
    db.prepare("INSERT INTO faces (person_id, embedding, image_hash, quality, created_at) VALUES ('p1', ?, 'h', 0.9, 5)").run(
      Buffer.from(new Float32Array([1, 2, 3]).buffer),
    );
    db.close();
    const store = new GalleryStore(path);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION_LATEST);
    expect(store.allFaceEmbeddings()).toEqual([{ id: 1, ownerId: 'p1', model: 'faceres', embedding: new Float32Array([1, 2, 3]) }]);
    expect(store.getPerson('p1')).toMatchObject({ name: 'Raj', notes: 'notes', faceCount: 1 });
    store.close();
  });

  it('refuses a database from a newer build', () => {
    const path = join(dir, 'future.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new GalleryStore(path)).toThrow(/schema version 99, newer/);
  });

  it('stores people and faces; deleting a person cascades to their faces', () => {
    const store = new GalleryStore(':memory:');
    store.createPerson('p1', 'Penny', 'n', 10);
    const face = store.addFace('p1', new Float32Array([0.5, -0.25]), 'abc', 0.8, 'faceres', 11);
    expect(store.findFaceByHash('p1', 'abc')?.id).toBe(face.id);
    expect(() => store.addFace('p1', new Float32Array([1, 1]), 'abc', 0.8, 'faceres')).toThrow(/UNIQUE/);
    expect(store.updatePerson('p1', { name: 'Penny H.' }, 12)).toMatchObject({ name: 'Penny H.', notes: 'n', updatedAt: 12 });
    expect(store.updatePerson('p1', { notes: null })?.notes).toBeNull();
    expect(store.updatePerson('nobody', { name: 'x' })).toBeUndefined();
    expect(store.deletePerson('p1')).toEqual([face.id]);
    expect(store.counts()).toMatchObject({ people: 0, faces: 0 });
    expect(store.deletePerson('p1')).toBeUndefined();
  });

  it('numbers unknowns stably, never reusing an id, and keeps only the best faces of each', () => {
    const store = new GalleryStore(':memory:');
    const u1 = store.createUnknown('cam-a', 100);
    expect(u1).toMatchObject({ id: 'unknown-1', sightings: 1, lastCamera: 'cam-a', faceCount: 0 });
    const qualities = [0.2, 0.9, 0.5, 0.7];
    const ids = qualities.map((quality, i) =>
      store.addUnknownFace(u1.id, { embedding: new Float32Array([i, 1]), model: 'faceres', crop: Buffer.from([i]), cameraId: 'cam-a', capturedAt: 100 + i, quality }),
    );
    expect(store.pruneUnknownFaces(u1.id, 2).sort()).toEqual([ids[0], ids[2]].sort());
    expect(store.unknownCrop(u1.id)).toEqual(Buffer.from([1]));
    store.recordSighting(u1.id, 'cam-b', 200);
    expect(store.getUnknown(u1.id)).toMatchObject({ sightings: 2, lastSeen: 200, lastCamera: 'cam-b', faceCount: 2 });
    expect(store.deleteUnknown(u1.id)?.sort()).toEqual([ids[1], ids[3]].sort());
    expect(store.createUnknown('cam-a', 300).id).toBe('unknown-2');
  });

  it('promotes an unknown to a person in one transaction', () => {
    const store = new GalleryStore(':memory:');
    const u = store.createUnknown('cam-a', 1);
    store.addUnknownFace(u.id, { embedding: new Float32Array([1, 0]), model: 'faceres', cameraId: 'cam-a', capturedAt: 1, quality: 0.6 });
    const result = store.promoteUnknown(u.id, { id: 'p9', name: 'Stuart', notes: null });
    expect(result?.person).toMatchObject({ id: 'p9', name: 'Stuart', faceCount: 1 });
    expect(result?.faces[0].embedding).toEqual(new Float32Array([1, 0]));
    expect(store.getUnknown(u.id)).toBeUndefined();
    expect(store.counts()).toEqual({ people: 1, faces: 1, unknowns: 0, unknownFaces: 0 });
    expect(store.promoteUnknown(u.id, { id: 'p10', name: 'x', notes: null })).toBeUndefined();
  });

  it('parses unknown ids strictly', () => {
    expect(unknownIdOf(7)).toBe('unknown-7');
    expect(unknownSeqOf('unknown-7')).toBe(7);
    expect(unknownSeqOf('unknown-x')).toBeUndefined();
    expect(unknownSeqOf('unknown-0')).toBeUndefined();
    expect(unknownSeqOf('person-7')).toBeUndefined();
  });
});
