/**
 * Test and evaluation tooling (video clips, decoded frames, OS processes, ports, polling, ground truth
 * and its matching) for tests, benches and scripts. Product code never imports it (eslint.config.mjs).
 */
export * from './clips';
export * from './video-frames';
export * from './processes';
export * from './ground-truth';
export * from './matching';
