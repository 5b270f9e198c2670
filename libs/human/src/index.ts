export * from './human-runtime';
export * from './image-input';
export * from './faces';
export * from './face-alignment';
export * from './objects';
export * from './warmup';
export { readModelArtifacts, fileLoadRouter } from './model-files';
export { humanModelsDir, humanWasmBuildPath, resolveModelJson, tfjsWasmDir } from './paths';
