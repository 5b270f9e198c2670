export * from './chart';
export * from './checks';
export * from './formula';
export * from './latency';
export * from './links';
export * from './markdown';
export * from './prometheus';
export * from './report-data';
