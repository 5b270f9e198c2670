import { INestApplication, LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SentinelConfig, linkRolesOfProcess, modulesOfProcess } from '@sentinel/config';
import { HealthRegistry, MetricsService, StageTimer } from '@sentinel/telemetry';
import { InprocBus, LinkLedger, LinkRouter, createLinkServer } from '@sentinel/transport';
import { AppModule, ModuleRegistry } from './app.module';

export interface SentinelAppOptions {
  /** Which Nest module implements each product module (default: the real ones). */
  registry?: ModuleRegistry;
  logger?: LogLevel[] | false;
}

export interface SentinelApp {
  app: INestApplication;
  config: SentinelConfig;
  ledger: LinkLedger;
  router: LinkRouter;
  /** The HTTP port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

async function defaultRegistry(): Promise<ModuleRegistry> {
  // Loaded lazily so that tests with stub modules do not pay for models and native code.
  const { productModules } = await import('./module-registry');
  return productModules;
}

/**
 * Builds and starts one process of the product: the HTTP app, the link servers this tier consumes
 * and the link clients it produces on. Used by main.ts, the e2e tests and the report.
 */
export async function createSentinelApp(config: SentinelConfig, options: SentinelAppOptions = {}): Promise<SentinelApp> {
  const bus = new InprocBus();
  const registry = options.registry ?? (await defaultRegistry());
  const app = await NestFactory.create(AppModule.forRoot(config, registry, bus), {
    logger: options.logger ?? ['log', 'warn', 'error'],
    bodyParser: true,
  });
  app.enableShutdownHooks();
  const ledger = app.get(LinkLedger);
  const health = app.get(HealthRegistry);
  const stages = app.get(StageTimer);
  const onTransfer = (link: string, ms: number) => stages.record(`link.${link}`, ms);
  for (const { link } of linkRolesOfProcess(config).filter((role) => role.consumes)) {
    const linkConfig = config.links[link];
    const server = createLinkServer(link, linkConfig, { ledger, bus, onTransfer, metrics: app.get(MetricsService) });
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    health.register(`link:${link}:consumer`, () => ({ status: 'up', transport: linkConfig.transport }));
  }
  SwaggerModule.setup(
    'docs',
    app,
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('edge-sentinel')
        .setDescription(`Tier ${config.tier}: ${modulesOfProcess(config).join(', ')}`)
        .setVersion('0.1.0')
        .build(),
    ),
  );
  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as { port: number } | string | null;
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  new Logger('Sentinel').log(
    `tier ${config.tier} running ${modulesOfProcess(config).join(', ') || 'no module'}; HTTP on port ${port} (/health, /metrics, /docs)`,
  );
  return { app, config, ledger, router: app.get(LinkRouter), port, close: () => app.close() };
}
