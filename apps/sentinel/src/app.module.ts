import { DynamicModule, Module, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ModuleName, SentinelConfig, SentinelConfigModule, modulesOfProcess } from '@sentinel/config';
import { TelemetryModule } from '@sentinel/telemetry';
import { InprocBus, TransportModule } from '@sentinel/transport';
import { HealthController } from './http/health.controller';
import { MetricsController } from './http/metrics.controller';
import { StatsController } from './http/stats.controller';
import { DashboardModule } from './web/dashboard.module';

export type ModuleRegistry = Record<ModuleName, Type<unknown>>;

/** The root module of one process: the modules its tier runs, plus config, telemetry, links and HTTP. */
@Module({})
export class AppModule {
  static forRoot(config: SentinelConfig, registry: ModuleRegistry, bus: InprocBus): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SentinelConfigModule.forRoot(config),
        TelemetryModule,
        TerminusModule.forRoot({ logger: false }),
        TransportModule.forRoot(bus),
        ...modulesOfProcess(config).map((name) => registry[name]),
        DashboardModule,
      ],
      controllers: [HealthController, MetricsController, StatsController],
    };
  }
}
