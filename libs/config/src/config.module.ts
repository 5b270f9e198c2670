import { DynamicModule, Global, Module } from '@nestjs/common';
import { SENTINEL_CONFIG, SentinelConfig } from './sentinel.config';

/** Provides the validated configuration (token SENTINEL_CONFIG) to every module. */
@Global()
@Module({})
export class SentinelConfigModule {
  static forRoot(config: SentinelConfig): DynamicModule {
    return { module: SentinelConfigModule, providers: [{ provide: SENTINEL_CONFIG, useValue: config }], exports: [SENTINEL_CONFIG] };
  }
}
