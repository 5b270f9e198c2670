import type { Pattern } from '@sentinel/contracts';

export type EmitOutcome =
  /** The consumer acknowledged the message. */
  | 'delivered'
  /** Not sent: the link's window was full and the caller asked to drop rather than wait. */
  | 'dropped'
  /** Sent but not acknowledged (consumer error, timeout, broker unreachable). Counted and logged. */
  | 'failed';

export interface EmitOptions {
  /** When `window` messages are already in flight: wait for room (reports, files) or drop (live cameras). */
  whenFull?: 'wait' | 'drop';
  /** Called with the consumer's reply when the message is delivered (before `emit` resolves). */
  onReply?: (reply: unknown) => void;
}

/**
 * What modules use to send a message to another tier. The link layer picks the transport from
 * config; modules never know whether the consumer is in this process or across the network.
 * `emit` never throws: the outcome says what happened.
 */
export abstract class LinkEmitter {
  abstract emit(pattern: Pattern, message: object, options?: EmitOptions): Promise<EmitOutcome>;
}
