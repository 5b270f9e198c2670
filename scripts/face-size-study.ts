/**
 * npm run build && node dist/scripts/face-size-study.js [FACES_DIR (default ../shared/data/faces)]
 *
 * At which face size do Human's embeddings stop matching? Every face image of `<person>/<images>` is
 * shrunk to a range of sizes (as a far-away face reaches the fog) and embedded the way the cloud embeds
 * a crop (Human on wasm, CloudConfig padding and detector threshold); each shrunk face is matched
 * against the other images of the set at full size (leave-one-out). Prints, per size, the median
 * blazeface box side the fog would measure, how many faces are still found, rank-1 and the mean
 * similarity to the own person vs the best other person. Chooses the fog's `faces.minFaceSize`.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { CloudConfig } from '@sentinel/config';
import { cosineSimilarity } from '@sentinel/face-recognition';
import { HumanRuntime, detectFaces, embedFaces } from '@sentinel/human';

const SIZES = [150, 96, 64, 48, 40, 32, 28, 24, 20, 16];

const median = (v: number[]): number => (v.length ? [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] : NaN);

async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? '../shared/data/faces');
  const cloud = new CloudConfig();
  const runtime = HumanRuntime.shared({ descriptionModel: cloud.descriptionModel });
  await runtime.ready();
  const options = { padRatio: cloud.cropPadding, padMax: 64, minScore: cloud.minFaceScore, maxFaces: 1 };
  const images: { person: string; png: Buffer }[] = [];
  for (const person of (await readdir(dir)).sort()) {
    for (const file of (await readdir(join(dir, person))).sort()) images.push({ person, png: await readFile(join(dir, person, file)) });
  }
  const gallery = await Promise.all(images.map(async (i) => (await embedFaces(i.png, options, runtime))[0]?.embedding));
  console.log(`${images.length} images of ${new Set(images.map((i) => i.person)).size} people, ${gallery.filter(Boolean).length} embedded at full size`);
  console.log('side px | face box px (median) | found | rank-1 (of all) | same-person cos | best other cos');
  for (const side of SIZES) {
    let found = 0;
    let correct = 0;
    const boxes: number[] = [];
    const same: number[] = [];
    const other: number[] = [];
    for (const [index, image] of images.entries()) {
      const small = await sharp(image.png).resize(side, side, { kernel: 'lanczos3' }).toColourspace('srgb').png().toBuffer();
      const tight = (await detectFaces(small, { pad: Math.round(side * 0.27), minScore: cloud.minFaceScore, maxFaces: 1 }, runtime))[0];
      if (tight) boxes.push(Math.min(tight.box.width, tight.box.height));
      const embedded = (await embedFaces(small, options, runtime))[0];
      if (!embedded) continue;
      found++;
      let best = { cos: -2, person: '' };
      let bestOther = -2;
      for (const [j, g] of gallery.entries()) {
        if (j === index || !g) continue;
        const cos = cosineSimilarity(embedded.embedding, g);
        if (cos > best.cos) best = { cos, person: images[j].person };
        if (images[j].person === image.person) same.push(cos);
        else bestOther = Math.max(bestOther, cos);
      }
      other.push(bestOther);
      if (best.person === image.person) correct++;
    }
    const mean = (v: number[]) => (v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(3) : '-');
    console.log(`${String(side).padStart(7)} | ${String(median(boxes)).padStart(20)} | ${found}/${images.length} | ${correct}/${images.length} | ${mean(same)} | ${mean(other)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
