import type { ComponentHealth } from './health-registry';

/** Since when a condition has held without a break (e.g. "the queue has been full for 10 s"). */
export class Sustained {
  private since?: number;

  update(holds: boolean, now = Date.now()): void {
    if (!holds) this.since = undefined;
    else this.since ??= now;
  }

  heldForMs(now = Date.now()): number {
    return this.since === undefined ? 0 : now - this.since;
  }
}

/** The outcome of the last write (database, file, stream): ok until one fails, ok again after the next success. */
export class LastWrite {
  private error?: string;
  private at?: number;

  ok(now = Date.now()): void {
    this.error = undefined;
    this.at = now;
  }

  failed(error: unknown, now = Date.now()): void {
    this.error = error instanceof Error ? error.message : String(error);
    this.at = now;
  }

  get lastError(): string | undefined {
    return this.error;
  }

  get lastAt(): number | undefined {
    return this.at;
  }
}

const streamErrors = new WeakMap<object, LastWrite>();

/**
 * Health of an output stream (the log channel's stdout): down once it errored (EPIPE, closed pipe)
 * or can no longer be written.
 */
export function watchWritable(stream: NodeJS.WritableStream & { writable: boolean; destroyed?: boolean }): () => ComponentHealth {
  const errors = streamErrors.get(stream) ?? listenForErrors(stream);
  return () => {
    if (errors.lastError) return { status: 'down', reason: `output failed: ${errors.lastError}` };
    if (!stream.writable || stream.destroyed) return { status: 'down', reason: 'output closed' };
    return { status: 'up' };
  };
}

/** One listener per stream however many probes watch it (process.stdout is shared by every module). */
function listenForErrors(stream: NodeJS.WritableStream): LastWrite {
  const errors = new LastWrite();
  streamErrors.set(stream, errors);
  stream.on('error', (error: unknown) => errors.failed(error));
  return errors;
}
