/** A failed delivery. `permanent` ones are dead-lettered at once; the others are retried with backoff. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status?: number,
    /** The receiver asked to wait this long (HTTP Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * HTTP status of a webhook answer -> outcome. 2xx delivered; 408 (timeout) and 429 (rate limited)
 * and every 5xx are worth retrying; any other 4xx (and 1xx/3xx, which fetch does not follow for a
 * POST here) will not get better by retrying: dead letter.
 */
export function classifyHttpStatus(status: number): 'delivered' | 'retry' | 'dead' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'dead';
}

export function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const message = error instanceof Error ? describeCause(error) : String(error);
  return new DeliveryError(message, false);
}

/** fetch wraps socket errors as `TypeError: fetch failed` with the useful part in `cause`. */
function describeCause(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return `${error.message}: ${code ? `${code} ` : ''}${cause.message}`;
  }
  return error.message;
}
