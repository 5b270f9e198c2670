import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Counter, Gauge } from 'prom-client';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { MetricsService } from '@sentinel/telemetry';

/** A counting semaphore that never waits: a slot now, or none. */
export class Slots {
  private used = 0;

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  /** A release function (idempotent), or undefined when every slot is taken. */
  tryAcquire(): (() => void) | undefined {
    if (this.used >= this.capacity) return undefined;
    this.used += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= 1;
    };
  }
}

const isMultipart = (request: Request): boolean => /^multipart\//i.test(request.headers['content-type'] ?? '');

/** How long the body of a refused upload is read and thrown away after the answer, at most. */
const LINGER_MS = 2_000;

/**
 * A refused upload's connection closes once its client has sent the rest of its body (read and thrown
 * away by Node after the answer, never buffered) or after LINGER_MS, whichever comes first. Closing at
 * once (`Connection: close`) reset the connection while the client was still sending, and a reset can
 * drop the 503 from the client's receive buffer before the client reads it (seen as EPIPE or "socket
 * hang up" instead of the answer).
 */
function closeAfterLinger(request: Request): void {
  const socket = request.socket;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(timer));
  request.once('end', () => {
    clearTimeout(timer);
    socket.end();
  });
}

/**
 * Global guard: at most `http.uploads.maxConcurrent` multipart requests are read at once. Guards run
 * before Multer reads the body, so a refused upload costs no memory: 503 with Retry-After (see
 * closeAfterLinger for how its connection ends). The slot
 * is freed when the response closes (finished or aborted).
 */
@Injectable()
export class UploadSlotsGuard implements CanActivate {
  private readonly slots: Slots;
  private readonly retryAfterSec: number;
  private readonly refused: Counter<string>;
  private readonly inFlight: Gauge<string>;

  constructor(@Inject(SENTINEL_CONFIG) config: SentinelConfig, metrics: MetricsService) {
    this.slots = new Slots(config.http.uploads.maxConcurrent);
    this.retryAfterSec = config.http.uploads.retryAfterSec;
    this.refused = metrics.counter('sentinel_http_uploads_refused_total', 'Uploads refused because http.uploads.maxConcurrent were in progress', []);
    this.inFlight = metrics.gauge('sentinel_http_uploads_in_progress', 'Multipart uploads being read or processed', []);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!isMultipart(request)) return true;
    const response = context.switchToHttp().getResponse<Response>();
    const release = this.slots.tryAcquire();
    if (!release) {
      this.refused.inc();
      response.setHeader('Retry-After', String(this.retryAfterSec));
      closeAfterLinger(request);
      throw new HttpException(
        { statusCode: 503, error: 'Service Unavailable', message: `${this.slots.capacity} uploads already in progress (http.uploads.maxConcurrent); retry after ${this.retryAfterSec} s` },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    this.inFlight.set(this.slots.inUse);
    response.once('close', () => {
      release();
      this.inFlight.set(this.slots.inUse);
    });
    return true;
  }
}
