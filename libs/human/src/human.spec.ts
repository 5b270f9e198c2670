import { readFile } from 'node:fs/promises';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { HumanRuntime } from './human-runtime';
import { InvalidImageError } from './image-input';
import { detectFaces, embedFaces } from './faces';
import { detectObjects } from './objects';
import { warmUpHuman } from './warmup';

const cosine = (a: Float32Array, b: Float32Array): number => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
};

describeWithSharedData('Human runtime on the wasm backend (real models)', () => {
  jest.setTimeout(120_000);
  const face = (person: string, n: number) => readFile(sharedPath('data', 'faces', person, `${person}${n}.png`));

  beforeAll(async () => {
    await warmUpHuman({ faces: true, objects: true });
  });

  it('is one shared instance on wasm', async () => {
    const human = await HumanRuntime.shared().ready();
    expect(HumanRuntime.shared()).toBe(HumanRuntime.shared());
    expect(human.tf.getBackend()).toBe('wasm');
    expect(() => HumanRuntime.shared({ descriptionModel: 'mobilefacenet' })).toThrow(/cannot switch/);
  });

  it('embeds a tight face crop (padded) into a 1024-d vector with its box in source pixels', async () => {
    const faces = await embedFaces(await face('amy', 1), { pad: 40 });
    expect(faces).toHaveLength(1);
    expect(faces[0].embedding).toHaveLength(1024);
    expect(faces[0].score).toBeGreaterThan(0.5);
    const { box } = faces[0];
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.width).toBeGreaterThan(60);
    expect(box.x + box.width).toBeLessThanOrEqual(150 + 1);
  });

  it('gives two images of one person a higher similarity than images of two people', async () => {
    const [a1, a2, b1] = await Promise.all([face('sheldon', 1), face('sheldon', 2), face('penny', 1)]);
    const [[s1], [s2], [p1]] = await Promise.all([a1, a2, b1].map((img) => embedFaces(img, { pad: 40 })));
    expect(cosine(s1.embedding, s2.embedding)).toBeGreaterThan(cosine(s1.embedding, p1.embedding));
  });

  it('serialises concurrent calls: results equal the sequential ones (no cached results between images)', async () => {
    const images = await Promise.all([face('raj', 1), face('howard', 2), face('raj', 1)]);
    const sequential: Float32Array[] = [];
    for (const img of images) sequential.push((await embedFaces(img, { pad: 40 }))[0].embedding);
    const concurrent = await Promise.all(images.map(async (img) => (await embedFaces(img, { pad: 40 }))[0].embedding));
    concurrent.forEach((embedding, i) => expect(cosine(embedding, sequential[i])).toBeCloseTo(1, 4));
    expect(cosine(concurrent[0], concurrent[1])).toBeLessThan(0.99);
  });

  it('detects face boxes only (no embedding) in raw RGB pixels, in a region of the image', async () => {
    const sharp = (await import('sharp')).default;
    const { data, info } = await sharp(await face('leonard', 1)).removeAlpha().extend({ top: 100, left: 300, bottom: 50, right: 20, background: '#808080' })
      .raw().toBuffer({ resolveWithObject: true });
    const faces = await detectFaces(
      { data, width: info.width, height: info.height, channels: 3 },
      { region: { x: 260, y: 60, width: 230, height: 230 } },
    );
    expect(faces).toHaveLength(1);
    expect(faces[0].box.x).toBeGreaterThanOrEqual(280);
    expect(faces[0].box.y).toBeGreaterThanOrEqual(80);
    expect(faces[0]).not.toHaveProperty('embedding');
  });

  it('finds no face in a flat image', async () => {
    const data = new Uint8Array(64 * 64 * 3).fill(90);
    expect(await embedFaces({ data, width: 64, height: 64, channels: 3 })).toEqual([]);
  });

  it('finds the player in messi5.jpg as a COCO person (class 0) with a box inside the image', async () => {
    const objects = await detectObjects(await readFile(sharedPath('data', 'messi5.jpg')));
    const people = objects.filter((o) => o.classId === 0);
    expect(people.length).toBeGreaterThan(0);
    expect(people[0].label).toBe('person');
    for (const o of objects) {
      expect(o.box.x + o.box.width).toBeLessThanOrEqual(548);
      expect(o.score).toBeGreaterThanOrEqual(0.2);
    }
    // Face calls still work after an object call (per-call config does not leak).
    expect(await embedFaces(await face('amy', 2), { pad: 40 })).toHaveLength(1);
  });

  it('rejects non-image bytes with InvalidImageError and keeps working', async () => {
    await expect(embedFaces(Buffer.from('<html>nope</html>'))).rejects.toBeInstanceOf(InvalidImageError);
    expect(await detectFaces(await face('amy', 3), { pad: 40 })).toHaveLength(1);
  });

  it('does not leak tensors across calls', async () => {
    const human = await HumanRuntime.shared().ready();
    const img = await face('stuart', 1);
    await embedFaces(img, { pad: 40 });
    const before = human.tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await embedFaces(img, { pad: 40 });
    expect(human.tf.memory().numTensors).toBe(before);
  });
});
