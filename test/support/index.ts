export * from './shared-data';
export * from './services';
export * from './processes';
export * from './messages';
export * from './stub-modules';
export * from './rtsp-server';
export * from './api-key';
export * from './streams-link';
