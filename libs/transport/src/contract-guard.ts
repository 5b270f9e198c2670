import { Server } from '@nestjs/microservices';
import { throwError } from 'rxjs';
import { LinkName, LinkPatterns, validateContract } from '@sentinel/contracts';
import type { LinkLedger } from './link-ledger';

type Handler = Parameters<Server['addHandler']>[1];

/**
 * Makes a transport server accept only its link's patterns and validate every message against its
 * contract before a handler sees it. A malformed message is counted, logged once per kind and
 * dropped; a request gets an error reply so its producer does not wait for nothing.
 */
export function guardServerWithContracts(
  server: Server,
  link: LinkName,
  ledger: LinkLedger,
  onAccepted?: (pattern: string, message: { sentAt?: number }) => void,
): void {
  const accepted = new Set<string>(LinkPatterns[link]);
  const addHandler = server.addHandler.bind(server);
  server.addHandler = (pattern: unknown, callback: Handler, isEventHandler?: boolean, extras?: Record<string, unknown>): void => {
    if (typeof pattern !== 'string' || !accepted.has(pattern)) return;
    const guarded = (async (data: unknown, ctx: unknown) => {
      const result = validateContract(pattern, data);
      if (!result.ok) {
        ledger.malformed(link, `invalid ${pattern}`, result.errors.slice(0, 5).join('; '));
        if (isEventHandler) return undefined;
        // An error observable (not a throw): the transport turns it into an error reply.
        const message = `malformed ${pattern}: ${result.errors.slice(0, 5).join('; ')}`;
        return throwError(() => ({ status: 'error', message }));
      }
      onAccepted?.(pattern, result.value as { sentAt?: number });
      return callback(result.value, ctx as never);
    }) as Handler;
    addHandler(pattern, guarded, isEventHandler, extras);
  };
}
