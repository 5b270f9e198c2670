export * from './shared-data';
export * from './services';
