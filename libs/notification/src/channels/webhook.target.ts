import type { NotificationWebhookConfig } from '@sentinel/config';
import { DeliveryError, classifyHttpStatus } from '../delivery-error';
import { signWebhook } from '../webhook-signature';
import type { DeliveryTarget } from './delivery-target';

/**
 * HTTP POST of the JSON payload to one URL. Headers: `Idempotency-Key` (the alert id: receivers
 * drop repeats, since a delivery whose answer was lost is sent again), `X-Sentinel-Timestamp`, and,
 * with a secret, the HMAC signature header.
 */
export class WebhookTarget implements DeliveryTarget {
  readonly channel = 'webhook' as const;
  readonly name: string;
  readonly concurrency: number;
  /** Aborts requests in flight at shutdown (they stay in the outbox and are sent again after restart). */
  private readonly shutdown = new AbortController();

  constructor(
    readonly url: string,
    private readonly config: Pick<NotificationWebhookConfig, 'secret' | 'signatureHeader' | 'timeoutMs' | 'concurrency'>,
    private readonly now: () => number = Date.now,
  ) {
    this.name = `webhook:${url}`;
    this.concurrency = config.concurrency;
  }

  async deliver(alertId: string, body: string): Promise<void> {
    const timestamp = this.now();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': alertId,
      'x-sentinel-timestamp': String(timestamp),
      'user-agent': 'edge-sentinel-notification',
    };
    if (this.config.secret) headers[this.config.signatureHeader.toLowerCase()] = signWebhook(this.config.secret, timestamp, body);
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.any([AbortSignal.timeout(this.config.timeoutMs), this.shutdown.signal]) });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new DeliveryError(`no answer within ${this.config.timeoutMs} ms`, false);
      if (this.shutdown.signal.aborted) throw new DeliveryError('aborted by shutdown', false);
      throw error;
    }
    // Read (and discard) the body so the connection returns to the pool.
    const text = await response.text().catch(() => '');
    const outcome = classifyHttpStatus(response.status);
    if (outcome === 'delivered') return;
    const detail = text.slice(0, 200).replace(/\s+/g, ' ').trim();
    throw new DeliveryError(`HTTP ${response.status}${detail ? `: ${detail}` : ''}`, outcome === 'dead', response.status, retryAfterMs(response.headers.get('retry-after'), this.now()));
  }

  async stop(): Promise<void> {
    this.shutdown.abort();
  }

  health(): Record<string, unknown> {
    return { url: redactUrl(this.url) };
  }
}

/** `Retry-After` as seconds or an HTTP date -> ms from now; undefined when absent or malformed. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Credentials in a URL never reach health output or logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}
