import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { encodePacket } from './codec';

/**
 * Idempotency keys of durable messages. A consumer remembers the keys it has handled and ignores a
 * second entry with the same key, so a message appended twice (a producer's retry) or emitted again
 * by a handler that ran twice (its process died before acknowledging) has one effect.
 *
 * A message emitted while a durable message is being handled gets a key derived from the cause's key,
 * its pattern and its rank among the handler's emits of that pattern: the same whatever the handler
 * computed the second time (a new random alert id, another timestamp). Any other message is keyed by
 * its own `id` field when it has one (alerts), else by a digest of its content without `sentAt`.
 */

/** Where the key of one emit travels from the router to the streams client (a symbol: never encoded). */
export const MESSAGE_KEY = Symbol('sentinel.messageKey');

interface Cause {
  key: string;
  ranks: Map<string, number>;
  /** The site the cause came from: what the messages it leads to carry. */
  site?: string;
}

const causes = new AsyncLocalStorage<Cause>();

/** Runs a handler of the message keyed `key`: messages it emits get keys derived from it. */
export function withCause<T>(key: string, handler: () => T, site?: string): T {
  return causes.run({ key, ranks: new Map(), ...(site ? { site } : {}) }, handler);
}

/** The site of the durable message being handled, if any (a crop's site for the identity and alert it leads to). */
export function causeSite(): string | undefined {
  return causes.getStore()?.site;
}

const digest = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** The idempotency key of one emit (call it once per emit, not per retry). */
export function messageKey(pattern: string, message: object): string {
  const cause = causes.getStore();
  if (cause) {
    const rank = cause.ranks.get(pattern) ?? 0;
    cause.ranks.set(pattern, rank + 1);
    return `c:${digest(`${cause.key}>${pattern}#${rank}`)}`;
  }
  const id = (message as { id?: unknown }).id;
  if (typeof id === 'string' && id.length > 0 && id.length <= 128) return `id:${pattern}:${id}`;
  const { sentAt: _sentAt, ...content } = message as { sentAt?: unknown };
  return `h:${digest(encodePacket({ pattern, content }))}`;
}

/** The key a router attached to a message, if any. */
export function attachedKey(message: unknown): string | undefined {
  const key = message && typeof message === 'object' ? (message as { [MESSAGE_KEY]?: unknown })[MESSAGE_KEY] : undefined;
  return typeof key === 'string' ? key : undefined;
}
