import { Global, Module } from '@nestjs/common';
import { HealthRegistry } from './health-registry';
import { MetricsService } from './metrics.service';
import { StageTimer } from './stage-timer';

@Global()
@Module({
  providers: [MetricsService, StageTimer, HealthRegistry],
  exports: [MetricsService, StageTimer, HealthRegistry],
})
export class TelemetryModule {}
