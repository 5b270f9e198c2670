import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The subset of tfjs `ModelArtifacts` a graph model needs. `signature` and `userDefinedMetadata`
 * matter: without `signature` Human's face description model silently returns empty embeddings.
 */
export interface FileModelArtifacts {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
  signature?: unknown;
  userDefinedMetadata?: unknown;
  modelInitializer?: unknown;
}

interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
  signature?: unknown;
  userDefinedMetadata?: unknown;
  modelInitializer?: unknown;
}

export const FILE_URL_PREFIX = 'file://';

/** Reads a tfjs graph model (`model.json` + weight shards beside it) from disk. */
export async function readModelArtifacts(modelJsonPath: string): Promise<FileModelArtifacts> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${modelJsonPath}: not a tfjs graph model (modelTopology/weightsManifest missing)`);
  }
  const folder = dirname(modelJsonPath);
  const shards = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((p) => readFile(join(folder, p)))));
  const total = shards.reduce((sum, shard) => sum + shard.length, 0);
  const weights = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    weights.set(shard, offset);
    offset += shard.length;
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    modelInitializer: json.modelInitializer,
  };
}

/** A tfjs IO router: handles `file://` URLs (tfjs has no file loader without tfjs-node). */
export function fileLoadRouter(url: string | string[]): { load: () => Promise<FileModelArtifacts> } | null {
  const first = Array.isArray(url) ? url[0] : url;
  if (typeof first !== 'string' || !first.startsWith(FILE_URL_PREFIX)) return null;
  const path = first.slice(FILE_URL_PREFIX.length);
  return { load: () => readModelArtifacts(path) };
}
