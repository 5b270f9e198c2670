export * from './shared-data';
export * from './services';
export * from './processes';
export * from './messages';
export * from './api-key';
