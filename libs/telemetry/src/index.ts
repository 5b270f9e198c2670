export * from './metrics.service';
export * from './stage-timer';
export * from './latency-recorder';
export * from './health-registry';
export * from './telemetry.module';
export * from './stat-counter';
export * from './log-histogram';
export * from './health-signals';
