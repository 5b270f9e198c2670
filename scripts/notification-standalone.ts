/**
 * Runs the notification module alone: HTTP API plus a Nest TCP microservice carrying the link
 * patterns (`alert`, `identity`, `detections`). Used by test/notification/restart.e2e-spec.ts to
 * kill and restart a real process; also handy to try webhooks by hand.
 *
 *   node dist/scripts/notification-standalone.js [--config file.yaml] [--set key=value ...] [--rpc-port 4100]
 *
 * Prints one JSON line `{"ready":true,"http":<port>,"rpc":<port>}` on stdout once it accepts work.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import type { AddressInfo } from 'node:net';
import { ConfigError, SentinelConfigModule, loadConfig } from '@sentinel/config';
import { NotificationModule } from '@sentinel/notification';
import { TelemetryModule } from '@sentinel/telemetry';

function parseArgs(argv: string[]): { file?: string; sets: string[]; rpcPort?: number } {
  const sets: string[] = [];
  let file: string | undefined;
  let rpcPort: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => inline ?? argv[++i];
    if (flag === '--config') file = value();
    else if (flag === '--set') sets.push(value());
    else if (flag === '--rpc-port') rpcPort = Number(value());
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return { file, sets, rpcPort };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig({ file: args.file, sets: args.sets });

  @Module({ imports: [SentinelConfigModule.forRoot(config), TelemetryModule, NotificationModule] })
  class StandaloneModule {}

  const app = await NestFactory.create(StandaloneModule);
  app.enableShutdownHooks();
  if (args.rpcPort !== undefined) {
    app.connectMicroservice<MicroserviceOptions>({ transport: Transport.TCP, options: { host: '127.0.0.1', port: args.rpcPort } });
    await app.startAllMicroservices();
  }
  await app.listen(config.http.port, config.http.host);
  const http = (app.getHttpServer().address() as AddressInfo).port;
  console.log(JSON.stringify({ ready: true, http, rpc: args.rpcPort ?? null }));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
