import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ModuleName, SentinelConfig, SentinelConfigModule, modulesOfProcess } from '@sentinel/config';
import { TelemetryModule } from '@sentinel/telemetry';
import { InprocBus, TransportModule } from '@sentinel/transport';
import { ApiKeySet } from './auth/api-key';
import { API_KEYS, ApiKeyGuard } from './auth/api-key.guard';
import { AuthController } from './auth/auth.controller';
import { UploadSlotsGuard } from './auth/upload-slots';
import { HealthController } from './http/health.controller';
import { MetricsController } from './http/metrics.controller';
import { StatsController } from './http/stats.controller';
import { DashboardModule } from './web/dashboard.module';

export type ModuleRegistry = Record<ModuleName, Type<unknown>>;

/** The root module of one process: the modules its tier runs, plus config, telemetry, links and HTTP. */
@Module({})
export class AppModule {
  /** `keys`: the accepted API keys, or null when `http.auth: none`. */
  static forRoot(config: SentinelConfig, registry: ModuleRegistry, bus: InprocBus, keys: ApiKeySet | null = null): DynamicModule {
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
      controllers: [HealthController, MetricsController, StatsController, AuthController],
      providers: [
        { provide: API_KEYS, useValue: keys },
        // Order matters: the key is checked before an upload slot is taken.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: UploadSlotsGuard },
      ],
    };
  }
}
