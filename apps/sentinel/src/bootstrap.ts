import { INestApplication, LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SentinelConfig, linkRolesOfProcess, modulesOfProcess } from '@sentinel/config';
import { HealthRegistry, MetricsService, StageTimer } from '@sentinel/telemetry';
import { InprocBus, LinkLedger, LinkRouter, RedisStreamsServer, consumerHealth, createLinkServers } from '@sentinel/transport';
import { AppModule, ModuleRegistry } from './app.module';
import { ApiKeySet, resolveApiKeys } from './auth/api-key';
import { markOperationSecurity, withApiKeySchemes } from './auth/openapi-security';
import { BootAwareLogger, BootError, prepareDataDir, readPemFile } from './boot-error';

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

function nestLogger(levels: LogLevel[] | false): BootAwareLogger | false {
  if (levels === false) return false;
  const logger = new BootAwareLogger();
  logger.setLogLevels(levels);
  return logger;
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON.parse reviver: a body with a `__proto__`, `constructor` or `prototype` key is a 400, never an object. */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (PROTOTYPE_KEYS.has(key)) throw new SyntaxError(`JSON key "${key}" is not accepted`);
  return value;
}

/** The accepted keys, or null with `http.auth: none`. Only a generated key's file path is logged, never a key. */
function apiKeysOf(config: SentinelConfig, logger: Logger): ApiKeySet | null {
  if (config.http.auth === 'none') {
    logger.warn('http.auth is none: every HTTP route is open to anyone who can reach this port');
    return null;
  }
  try {
    const { keys, generatedFile } = resolveApiKeys(config.http.apiKeys, config.dataDir);
    if (generatedFile) logger.log(`no http.apiKeys configured: the API key is in ${generatedFile} (send it as header x-api-key)`);
    return keys;
  } catch (error) {
    throw new BootError([`http.apiKeys: ${(error as Error).message}`]);
  }
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
  const logger = new Logger('Sentinel');
  prepareDataDir(config.dataDir);
  const keys = apiKeysOf(config, logger);
  const bus = new InprocBus();
  const registry = options.registry ?? (await defaultRegistry());
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, registry, bus, keys), {
    logger: nestLogger(options.logger ?? ['log', 'warn', 'error']),
    bodyParser: true,
    // Rethrow instead of exiting with Nest's stack trace: run.ts prints boot errors tidily.
    abortOnError: false,
    ...(config.http.tls && { httpsOptions: { cert: readPemFile('http.tls.cert', config.http.tls.cert), key: readPemFile('http.tls.key', config.http.tls.key) } }),
  });
  app.enableShutdownHooks();
  // JSON bodies naming Object.prototype members are refused (400) before any code sees them.
  app.useBodyParser('json', { reviver: refusePrototypeKeys });
  // Closed by default: without configured origins no CORS header is sent, so browsers refuse other origins.
  if (config.http.cors.origins.length) app.enableCors({ origin: config.http.cors.origins, credentials: true });
  const ledger = app.get(LinkLedger);
  const health = app.get(HealthRegistry);
  const stages = app.get(StageTimer);
  const onTransfer = (link: string, ms: number) => stages.record(`link.${link}`, ms);
  for (const { link } of linkRolesOfProcess(config).filter((role) => role.consumes)) {
    const linkConfig = config.links[link];
    const leases = { ttlMs: config.fog.replicas.leaseTtlMs, renewMs: config.fog.replicas.renewMs };
    for (const { site, server } of createLinkServers(link, linkConfig, { ledger, bus, onTransfer, metrics: app.get(MetricsService), leases })) {
      app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
      // A site's Redis (links.<link>.sources) is an optional peer: a site cut off delays its messages, the cloud stays ready.
      const source = site ? linkConfig.sources.find((s) => s.site === site)! : undefined;
      if (source) health.register(`link:${link}:consumer:${site}`, consumerHealth(link, { ...linkConfig, url: source.url }, server, bus), { required: false });
      else health.register(`link:${link}:consumer`, consumerHealth(link, linkConfig, server, bus));
      if (server instanceof RedisStreamsServer && linkConfig.perCamera) {
        // Which cameras this process reads, since when and how it got them (first, handover, takeover).
        health.register(`link:${link}:leases`, () => ({ status: 'up', site: config.site, ...server.leaseStats() }), { required: false });
      }
    }
  }
  const builder = new DocumentBuilder()
    .setTitle('edge-sentinel')
    .setDescription(`Tier ${config.tier}: ${modulesOfProcess(config).join(', ')}`)
    .setVersion('0.1.0');
  const document = SwaggerModule.createDocument(app, (keys ? withApiKeySchemes(builder) : builder).build());
  SwaggerModule.setup('docs', app, markOperationSecurity(document, { enabled: Boolean(keys), metricsOpen: config.http.metricsOpen }));
  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as { port: number } | string | null;
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.log(
    `tier ${config.tier} running ${modulesOfProcess(config).join(', ') || 'no module'}; HTTP on port ${port} (/health, /metrics, /docs)`,
  );
  return { app, config, ledger, router: app.get(LinkRouter), port, close: () => app.close() };
}
