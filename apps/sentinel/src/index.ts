export * from './bootstrap';
export * from './run';
export * from './cli';
export * from './config-from-argv';
export * from './app.module';
