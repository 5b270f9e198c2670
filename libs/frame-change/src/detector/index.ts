export * from './gray';
export * from './blur';
export * from './diff';
export * from './morphology';
export * from './blobs';
export * from './rects';
export * from './change-detector';
