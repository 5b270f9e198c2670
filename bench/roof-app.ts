import 'reflect-metadata';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SentinelConfigModule, validateConfig } from '@sentinel/config';
import { FrameChangeModule, FrameChangeService } from '@sentinel/frame-change';
import { StageTimer, TelemetryModule } from '@sentinel/telemetry';
import { LinkEmitter } from '@sentinel/transport';

/**
 * The roof's own module in a Nest application context, its messages handed to `links` instead of a
 * transport (the benches measure the roof, or record what it sends). Closed when `body` settles.
 */
export async function withRoof<T>(roof: Record<string, unknown>, links: LinkEmitter, body: (service: FrameChangeService, timer: StageTimer) => Promise<T>): Promise<T> {
  const config = validateConfig({ roof });
  @Global()
  @Module({ providers: [{ provide: LinkEmitter, useValue: links }], exports: [LinkEmitter] })
  class BenchLinksModule {}
  @Module({ imports: [SentinelConfigModule.forRoot(config), TelemetryModule, BenchLinksModule, FrameChangeModule] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  try {
    return await body(app.get(FrameChangeService), app.get(StageTimer));
  } finally {
    await app.close();
  }
}
