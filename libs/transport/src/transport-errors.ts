import { TimeoutError } from 'rxjs';

/** Node system error codes of a connection that could not be made or broke. */
const TRANSPORT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTCONN',
  'ERR_SOCKET_CLOSED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/** Error classes of the client libraries that mean the connection is gone (by name: `instanceof` fails across realms and copies). */
const TRANSPORT_ERROR_NAMES = new Set(['NetSocketClosedException', 'MaxRetriesPerRequestError']);

/**
 * Errors the link clients raise without a code or class of their own, as the exact values these
 * library versions produce (matched whole, never as patterns): Nest's Redis client rejects `connect()`
 * with this string while ioredis reconnects; Nest's TCP and Redis clients fail pending requests with
 * `new Error('Connection closed')` when the socket closes; ioredis rejects commands on an ended
 * connection with 'Connection is closed.'. transport-errors.spec.ts provokes the Nest ones for real.
 */
export const NEST_REDIS_RECONNECTING = 'Error: Connection lost. Trying to reconnect...';
const CODELESS_DISCONNECT_MESSAGES = new Set(['Connection closed', 'Connection is closed.']);

/** Raised by a link's connect step: whatever the client library rejected with, the transport failed. */
export class LinkConnectError extends Error {
  readonly code = 'ELINKCONNECT';

  constructor(
    readonly link: string,
    cause: unknown,
  ) {
    super(describeError(cause), { cause });
    this.name = 'LinkConnectError';
  }
}

/** What the producer saw: a broken transport (retry), or anything else (an answer, a bug, a timeout). */
export type ErrorKind = 'transport' | 'consumer-reply' | 'timeout' | 'other';

function hasTransportCode(error: { code?: unknown; errors?: unknown }): boolean {
  if (typeof error.code === 'string' && TRANSPORT_ERROR_CODES.has(error.code)) return true;
  // net.connect with several addresses (autoSelectFamily) fails with an AggregateError of attempts.
  return Array.isArray(error.errors) && error.errors.some((inner) => inner && typeof inner === 'object' && hasTransportCode(inner as object));
}

/** Classifies by code, class and shape; never by searching the message text. */
export function classifyError(error: unknown): ErrorKind {
  if (typeof error === 'string') return error === NEST_REDIS_RECONNECTING ? 'transport' : 'other';
  if (!error || typeof error !== 'object') return 'other';
  // A consumer's error answer arrives as a plain deserialized object: { status: 'error', message }.
  if ((error as { status?: unknown }).status === 'error') return 'consumer-reply';
  if (error instanceof TimeoutError || (error as Error).name === 'TimeoutError') return 'timeout';
  if (hasTransportCode(error as { code?: unknown })) return 'transport';
  if (error instanceof LinkConnectError) return 'transport';
  const { name, message } = error as Partial<Error>;
  if (typeof name === 'string' && TRANSPORT_ERROR_NAMES.has(name)) return 'transport';
  if (error.constructor && TRANSPORT_ERROR_NAMES.has(error.constructor.name)) return 'transport';
  if (typeof message === 'string' && CODELESS_DISCONNECT_MESSAGES.has(message) && !('code' in error)) return 'transport';
  return 'other';
}

/** A transport failure (no connection, broker down): worth retrying, unlike an error reply of the consumer. */
export function isTransportError(error: unknown): boolean {
  return classifyError(error) === 'transport';
}

/** A readable one-line reason for logs and `lastError`. */
export function describeError(error: unknown): string {
  if (error && typeof error === 'object') {
    const { message, status } = error as { message?: unknown; status?: unknown };
    if (typeof message === 'string' && status === undefined) return message;
    return JSON.stringify(error);
  }
  return String(error);
}
