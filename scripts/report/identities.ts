import { readFile, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { SentinelConfig } from '@sentinel/config';
import { Gallery, GalleryStore, SightingsStore, embeddingModelName, faceQuality, galleryOptionsOf } from '@sentinel/face-recognition';
import { HumanRuntime, embedFaces } from '@sentinel/human';
import type { RunIdentities } from '@sentinel/report';

const IMAGE = /\.(png|jpe?g|webp)$/i;

function galleryFile(config: SentinelConfig, dataDir: string): string {
  const path = config.cloud.galleryPath;
  return isAbsolute(path) ? path : join(dataDir, path);
}

/**
 * Enrolls `<person>/<images>` of `folder` into the gallery a run will use (its data folder), embedded
 * exactly as the cloud does. Returns the people enrolled and the images without a face.
 */
export async function enrollGalleryFolder(folder: string, dataDir: string, config: SentinelConfig): Promise<{ people: number; faces: number; skipped: string[] }> {
  const cloud = config.cloud;
  const runtime = HumanRuntime.shared({ descriptionModel: cloud.descriptionModel });
  const store = new GalleryStore(galleryFile(config, dataDir));
  const gallery = new Gallery(store, galleryOptionsOf(cloud, embeddingModelName(cloud.descriptionModel, cloud.alignFaces)));
  const result = { people: 0, faces: 0, skipped: [] as string[] };
  try {
    gallery.load();
    for (const name of (await readdir(resolve(folder))).sort()) {
      const dir = join(resolve(folder), name);
      if (!(await stat(dir)).isDirectory()) continue;
      const person = gallery.createPerson(name);
      result.people++;
      for (const file of (await readdir(dir)).filter((f) => IMAGE.test(f)).sort()) {
        const [face] = await embedFaces(await readFile(join(dir, file)), { padRatio: cloud.cropPadding, padMax: 64, minScore: cloud.minFaceScore, maxFaces: 1, align: cloud.alignFaces }, runtime);
        if (!face) {
          result.skipped.push(`${name}/${file}`);
          continue;
        }
        gallery.enroll(person.id, face.embedding, `${name}/${file}`, faceQuality(face));
        result.faces++;
      }
    }
  } finally {
    store.close();
  }
  return result;
}

/** Who the run saw, from the cloud's sightings table in the run's data folder (read after the run). */
export function identitiesOfRun(config: SentinelConfig, dataDir: string, counts: { intruderAlerts: number; faceCrops: number }): RunIdentities {
  const store = new GalleryStore(galleryFile(config, dataDir));
  try {
    const { items } = new SightingsStore(store.db, config.cloud.maxSightings).list({ limit: config.cloud.maxSightings, offset: 0 });
    const known = new Map<string, number>();
    const unknowns = new Set<string>();
    let undecided = 0;
    for (const s of items) {
      if (s.decision === 'named') known.set(s.name ?? s.identityId ?? '?', (known.get(s.name ?? s.identityId ?? '?') ?? 0) + 1);
      else if (s.decision === 'unknown' && s.identityId) unknowns.add(s.identityId);
      else if (s.decision === 'undecided') undecided++;
    }
    return {
      known: [...known].map(([name, sightings]) => ({ name, sightings })).sort((a, b) => (a.name < b.name ? -1 : 1)),
      unknown: unknowns.size,
      undecided,
      intruderAlerts: counts.intruderAlerts,
      faceCropsSent: counts.faceCrops,
    };
  } finally {
    store.close();
  }
}
