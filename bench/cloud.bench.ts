/**
 * Cloud benchmark.
 *
 * 1. Time per face crop through the cloud's path (JPEG decode + padding, Human embedding, matching
 *    against the gallery) next to a bare `human.detect` of the same, already decoded crop with the
 *    same settings, alternated in the same run (medians): the overhead ratio.
 * 2. Matching against galleries of 1k, 10k and 100k synthetic 1024-d embeddings: exact float32 SIMD
 *    scan, int8 SIMD scan with exact re-ranking, and a plain JS scan, next to the memory-bandwidth
 *    floor (one sequential read of the same float32 gallery bytes, the faster of a SIMD read and a JS
 *    Float64Array sum), plus the int8 gallery's own floor and the rank-1 agreement of int8 with exact.
 *
 *   node dist/bench/cloud.bench.js [--faces DIR] [--runs 15] [--sizes 1000,10000,100000] [--queries 200]
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudConfig } from '@sentinel/config';
import { Gallery, GalleryStore, SightingsStore, TrackBook, VectorIndex, embeddingModelName, faceQuality, galleryOptionsOf, normalized } from '@sentinel/face-recognition';
import { HumanRuntime, alignedFaceCrop, describeAligned, descriptionInputSize, embedFaces, prepareImage, runFacePipeline } from '@sentinel/human';
import { quantile } from '@sentinel/telemetry';
import { sharedPath } from '@sentinel/testing';
import sharp from 'sharp';

interface Options {
  faces: string;
  runs: number;
  sizes: number[];
  queries: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { faces: sharedPath('data', 'faces'), runs: 15, sizes: [1_000, 10_000, 100_000], queries: 200 };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--faces': options.faces = value; i++; break;
      case '--runs': options.runs = Number(value); i++; break;
      case '--sizes': options.sizes = value.split(',').map(Number); i++; break;
      case '--queries': options.queries = Number(value); i++; break;
      default: throw new Error(`unknown argument ${argv[i]} (use --faces, --runs, --sizes, --queries)`);
    }
  }
  if (!(options.runs >= 1) || options.sizes.some((n) => !(n >= 1)) || !(options.queries >= 1)) throw new Error('bad --runs/--sizes/--queries');
  return options;
}

const median = (values: number[]): number => quantile([...values].sort((a, b) => a - b), 0.5);
const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));

function time(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

async function timeAsync(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

// --- part 1: per face ----------------------------------------------------------------------------

async function perFace(options: Options): Promise<void> {
  const cloud = new CloudConfig();
  const runtime = HumanRuntime.shared({ descriptionModel: cloud.descriptionModel });
  await runtime.ready();
  const embedOptions = { padRatio: cloud.cropPadding, padMax: 64, minScore: cloud.minFaceScore, maxFaces: 1, align: cloud.alignFaces };

  // A gallery of the real faces (image 1 and 2 of each person) in a temporary SQLite file.
  const dir = mkdtempSync(join(tmpdir(), 'cloud-bench-'));
  const store = new GalleryStore(join(dir, 'gallery.sqlite'));
  const gallery = new Gallery(store, galleryOptionsOf(cloud, embeddingModelName(cloud.descriptionModel, cloud.alignFaces)));
  const sightings = new SightingsStore(store.db, cloud.maxSightings);
  const tracks = new TrackBook({ thresholds: () => gallery.thresholds(), topK: cloud.trackTopK, maxFacesPerTrack: 16, maxTracks: cloud.maxTracks, idleMs: cloud.trackIdleMs });
  gallery.load();
  const people = (await readdir(options.faces)).sort();
  for (const name of people) {
    const person = gallery.createPerson(name);
    for (const n of [1, 2]) {
      const [face] = await embedFaces(await readFile(join(options.faces, name, `${name}${n}.png`)), embedOptions, runtime);
      if (face) gallery.enroll(person.id, face.embedding, `${name}${n}`, faceQuality(face));
    }
  }
  // The crops the fog would send: image 3 of each person as JPEG.
  const crops = await Promise.all(people.map(async (name) => sharp(await readFile(join(options.faces, name, `${name}3.png`))).jpeg({ quality: 85 }).toBuffer()));
  const prepared = await Promise.all(crops.map((jpeg) => prepareImage(jpeg, embedOptions)));
  // Bare model calls: Human (blazeface + facemesh, no description pass) and faceres on the aligned
  // crop, both on already decoded pixels; the aligned crops are made outside the timing.
  const meshConfig = {
    enabled: true,
    detector: { minConfidence: cloud.minFaceScore, maxDetected: 1, scale: 1.4, rotation: true },
    mesh: { enabled: true },
    description: { enabled: false },
  } as Parameters<typeof runFacePipeline>[2];
  const human = await runtime.ready();
  const size = descriptionInputSize(human);
  const aligned = await Promise.all(
    prepared.map(async (image) => {
      const [face] = await runtime.exclusive((h) => runFacePipeline(h, image, meshConfig));
      return alignedFaceCrop(image.rgb, image.width, image.height, face.mesh, size);
    }),
  );
  const bareCall = (i: number) =>
    runtime.exclusive(async (h) => {
      await runFacePipeline(h, prepared[i], meshConfig);
      return describeAligned(h, aligned[i], size);
    });

  const samples = { decode: [] as number[], bare: [] as number[], embed: [] as number[], match: [] as number[], total: [] as number[] };
  // Warm-up, then alternate bare and full on the same crop.
  await bareCall(0);
  for (let run = 0; run < options.runs; run++) {
    const i = run % crops.length;
    samples.decode.push(await timeAsync(() => prepareImage(crops[i], embedOptions)));
    samples.bare.push(await timeAsync(() => bareCall(i)));
    const start = performance.now();
    const [face] = await embedFaces(crops[i], embedOptions, runtime);
    const embedded = performance.now();
    // What the service does after embedding: rank people, pool the track, record the sighting.
    const step = tracks.observe(`bench#${i}`, { people: gallery.rankPeople(face.embedding), weight: faceQuality(face), at: Date.now(), extra: face });
    sightings.add({
      cameraId: 'bench', trackId: i, capturedAt: Date.now(), decidedAt: Date.now(), decision: step.action === 'name' ? 'named' : step.action,
      identityId: null, name: null, similarity: 0, facesPooled: step.faces, faceSize: face.box.width, faceQuality: faceQuality(face), mergedFrom: null,
    });
    const matched = performance.now();
    samples.embed.push(embedded - start);
    samples.match.push(matched - embedded);
    samples.total.push(matched - start);
  }
  store.close();
  rmSync(dir, { recursive: true, force: true });

  const bare = median(samples.bare);
  const total = median(samples.total);
  console.log(`\n## Per face crop (${options.runs} runs alternating over ${crops.length} JPEG crops of ../shared/data/faces, medians, ms)\n`);
  console.log('| stage | median ms |\n|---|---|');
  console.log(`| JPEG decode + grey padding (sharp) | ${ms(median(samples.decode))} |`);
  console.log(`| embedding (decode + Human: blazeface, facemesh; align; ${cloud.descriptionModel}) | ${ms(median(samples.embed))} |`);
  console.log(`| matching + track pooling + sighting row (gallery of ${gallery.knownVectors} real faces, ${cloud.matcher}, centering ${cloud.centering}) | ${ms(median(samples.match))} |`);
  console.log(`| **cloud total per face** | **${ms(total)}** |`);
  console.log(`| bare model calls on the decoded crop (Human blazeface + facemesh, ${cloud.descriptionModel} on the pre-aligned crop) | ${ms(bare)} |`);
  console.log(`| total / bare | ${(total / bare).toFixed(2)}x (target <= 1.2x) |`);
  console.log(`| machine load (1 min) | ${loadavg()[0].toFixed(1)} on ${cpus().length} cores |`);
}

// --- part 2: matching ----------------------------------------------------------------------------

/** Deterministic uniform noise in [-0.5, 0.5). */
function makeNoise(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296 - 0.5;
  };
}

/**
 * Synthetic face-like embeddings: a direction shared by all faces, one per identity and per-image
 * noise, weighted so that different people score ~0.4 and images of one person ~0.65 (like faceres
 * on ../shared/data/faces). 5 images per identity.
 */
class SyntheticFaces {
  private readonly common: Float32Array;
  private readonly noise: () => number;
  constructor(readonly dim: number, seed = 7) {
    this.noise = makeNoise(seed);
    this.common = this.unit();
  }
  unit(): Float32Array {
    return normalized(Float32Array.from({ length: this.dim }, this.noise));
  }
  identity(): Float32Array {
    return this.unit();
  }
  face(identity: Float32Array): Float32Array {
    const noise = this.unit();
    const out = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) out[i] = 0.632 * this.common[i] + 0.5 * identity[i] + 0.592 * noise[i];
    return out;
  }
}

function plainJsScan(vectors: Float32Array, count: number, stride: number, query: Float32Array, out: Float32Array): void {
  for (let r = 0; r < count; r++) {
    const base = r * stride;
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    for (let i = 0; i < stride; i += 4) {
      a += vectors[base + i] * query[i];
      b += vectors[base + i + 1] * query[i + 1];
      c += vectors[base + i + 2] * query[i + 2];
      d += vectors[base + i + 3] * query[i + 3];
    }
    out[r] = a + b + c + d;
  }
}

function jsSequentialRead(vectors: Float32Array): number {
  const words = new Float64Array(vectors.buffer, vectors.byteOffset, vectors.byteLength / 8);
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  for (let i = 0; i < words.length; i += 4) {
    a += words[i];
    b += words[i + 1];
    c += words[i + 2];
    d += words[i + 3];
  }
  return a + b + c + d;
}

function matching(options: Options): void {
  const dim = 1024;
  const rows: string[] = [];
  const agreementRows: string[] = [];
  for (const size of options.sizes) {
    const synth = new SyntheticFaces(dim, size);
    const index = new VectorIndex(dim, { mode: 'int8', rerank: new CloudConfig().rerankCandidates, initialCapacity: size });
    const identities: Float32Array[] = [];
    for (let key = 0; key < size; key++) {
      if (key % 5 === 0) identities.push(synth.identity());
      index.add(key, synth.face(identities[identities.length - 1]));
    }
    const queries = Array.from({ length: Math.max(options.runs, options.queries) }, (_, q) => synth.face(identities[(q * 7919) % identities.length]));
    const vectors = index.vectors();
    const out = new Float32Array(size);
    let sink = 0;
    const t = { simdRead: [] as number[], jsRead: [] as number[], int8Read: [] as number[], exact: [] as number[], int8: [] as number[], js: [] as number[] };
    for (let run = 0; run < options.runs; run++) {
      const query = queries[run];
      t.simdRead.push(time(() => (sink ^= index.readFloatBytes())));
      t.jsRead.push(time(() => (sink += jsSequentialRead(vectors))));
      t.int8Read.push(time(() => (sink ^= index.readScannedBytes())));
      t.exact.push(time(() => (sink += index.searchExact(query, 1)[0].key)));
      t.int8.push(time(() => (sink += index.search(query, 1)[0].key)));
      t.js.push(time(() => plainJsScan(vectors, size, index.stride, normalized(query), out)));
    }
    let agree = 0;
    let sameIdentity = 0;
    for (const [q, query] of queries.entries()) {
      const exact = index.searchExact(query, 1)[0].key;
      if (index.search(query, 1)[0].key === exact) agree++;
      if (Math.floor(exact / 5) === (q * 7919) % identities.length) sameIdentity++;
    }
    // Strangers (identities not in the gallery): many near-equal scores, the hard case for int8.
    let strangerAgree = 0;
    let strangerScoreGap = 0;
    for (let q = 0; q < options.queries; q++) {
      const query = synth.face(synth.identity());
      const [exact] = index.searchExact(query, 1);
      const [fast] = index.search(query, 1);
      if (fast.key === exact.key) strangerAgree++;
      strangerScoreGap = Math.max(strangerScoreGap, exact.score - fast.score);
    }
    if (sink === 0.123) console.log(''); // keep the reads observable
    const floor = Math.min(median(t.simdRead), median(t.jsRead));
    const mbytes = (size * dim * 4) / 1e6;
    rows.push(
      `| ${size.toLocaleString('en')} | ${mbytes.toFixed(0)} MB | ${ms(median(t.simdRead))} / ${ms(median(t.jsRead))} | ${ms(median(t.exact))} (${(median(t.exact) / floor).toFixed(2)}x) | ` +
        `${ms(median(t.int8))} (${(median(t.int8) / floor).toFixed(2)}x) | ${ms(median(t.int8Read))} | ${ms(median(t.js))} (${(median(t.js) / floor).toFixed(2)}x) |`,
    );
    agreementRows.push(
      `| ${size.toLocaleString('en')} | ${agree}/${queries.length} = ${((100 * agree) / queries.length).toFixed(1)}% | ${((100 * sameIdentity) / queries.length).toFixed(1)}% | ` +
        `${strangerAgree}/${options.queries} = ${((100 * strangerAgree) / options.queries).toFixed(1)}% | ${strangerScoreGap.toFixed(4)} |`,
    );
  }
  console.log(`\n## Matching one 1024-d query (synthetic face-like embeddings, ${options.runs} runs, medians, ms; ratio = time / float32 floor)\n`);
  console.log('| gallery | float32 bytes | floor: SIMD read / JS read | exact float32 SIMD | int8 SIMD + exact re-rank | int8 floor (read) | plain JS scan |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(
    `\n| gallery | int8 rank-1 agreement with exact (enrolled identities) | exact rank-1 = query's identity | int8 agreement, strangers | worst best-score loss, strangers |\n|---|---|---|---|---|`,
  );
  for (const row of agreementRows) console.log(row);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  console.log(`# cloud bench (node ${process.version}, ${new Date().toISOString()})`);
  await perFace(options);
  matching(options);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
