import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/**
 * Human's package `exports` map spells its wasm build without `./`, so `require('@vladmandic/human/dist/human.node-wasm')`
 * throws ERR_PACKAGE_PATH_NOT_EXPORTED: resolve the main entry and take files beside it.
 */
export function humanDistDir(): string {
  return dirname(require.resolve('@vladmandic/human'));
}

/** `dist/human.node-wasm.js` of the installed @vladmandic/human. */
export function humanWasmBuildPath(): string {
  return join(humanDistDir(), 'human.node-wasm.js');
}

/** The `models/` folder bundled with @vladmandic/human (blazeface, facemesh, faceres, centernet, ...). */
export function humanModelsDir(): string {
  return join(humanDistDir(), '..', 'models');
}

/** Folder of the tfjs wasm binaries (`tfjs-backend-wasm*.wasm`), with a trailing slash as tfjs expects. */
export function tfjsWasmDir(): string {
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

/**
 * Absolute path of a model json: a bare name (`faceres` or `faceres.json`) is looked up in Human's
 * bundled models folder; an absolute path is used as is. Throws when the file does not exist.
 */
export function resolveModelJson(model: string): string {
  const file = model.endsWith('.json') ? model : `${model}.json`;
  const path = isAbsolute(file) ? file : join(humanModelsDir(), file);
  if (!existsSync(path)) throw new Error(`Human model ${JSON.stringify(model)} not found at ${path}`);
  return path;
}
