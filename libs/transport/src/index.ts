export * from './link-emitter';
