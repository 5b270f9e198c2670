import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { plainToInstance } from 'class-transformer';
import { SentinelConfigModule, loadConfig } from '@sentinel/config';
import { AlertMessage, SCHEMA_VERSION } from '@sentinel/contracts';
import { NotificationLinkController, NotificationModule, NotificationStats } from '@sentinel/notification';
import { HealthRegistry, TelemetryModule } from '@sentinel/telemetry';

export interface ReceivedRequest {
  key: string;
  body: Record<string, unknown> & { id: string; cameraId: string; kind: string };
  raw: string;
  headers: IncomingMessage['headers'];
  status: number;
}

/**
 * A real HTTP webhook receiver. `answer` decides the status of each request (default 200); every
 * request is recorded, whatever the answer. `stop()` closes it hard (open connections too) and
 * `start()` listens again on the same port.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  answer: (request: ReceivedRequest, attempt: number) => number = () => 200;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly attempts = new Map<string, number>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Keys in order of their first successful (2xx) arrival. */
  delivered(): ReceivedRequest[] {
    const seen = new Set<string>();
    return this.requests.filter((r) => r.status < 300 && !seen.has(r.key) && seen.add(r.key));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const key = String(req.headers['idempotency-key'] ?? '');
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempt);
      const request: ReceivedRequest = { key, body: JSON.parse(raw) as ReceivedRequest['body'], raw, headers: req.headers, status: 0 };
      request.status = this.answer(request, attempt);
      this.requests.push(request);
      res.writeHead(request.status, { 'content-type': 'text/plain' });
      res.end(request.status < 300 ? 'ok' : `refused with ${request.status}`);
    });
  }
}

/** Polls `condition` until it holds or `timeoutMs` passes (then fails with `what`). */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'sentinel-notification-'));
}

let alertCounter = 0;

/** A validated AlertMessage instance, as the link layer hands it over. */
export function makeAlert(overrides: Partial<AlertMessage> = {}): AlertMessage {
  alertCounter++;
  const now = Date.now();
  return plainToInstance(AlertMessage, {
    v: SCHEMA_VERSION,
    id: `alert-${process.pid}-${now}-${alertCounter}`,
    kind: 'intruder',
    cameraId: 'cam-1',
    capturedAt: now,
    at: now,
    ...overrides,
  });
}

export interface NotificationHarness {
  app: INestApplication;
  link: NotificationLinkController;
  stats: NotificationStats;
  health: HealthRegistry;
  close(): Promise<void>;
}

/** Boots the NotificationModule in a Nest app as the integrator's app does (config + telemetry + module). */
export async function bootNotification(dataDir: string, sets: string[], listen = false): Promise<NotificationHarness> {
  const config = loadConfig({ sets: [`dataDir=${dataDir}`, 'http.port=0', ...sets] });
  const moduleRef = await Test.createTestingModule({
    imports: [SentinelConfigModule.forRoot(config), TelemetryModule, NotificationModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  if (listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  return {
    app,
    link: app.get(NotificationLinkController),
    stats: app.get(NotificationStats),
    health: app.get(HealthRegistry),
    close: () => app.close(),
  };
}
