import { Logger } from '@nestjs/common';
import type { LinkConfig } from '@sentinel/config';
import { Pattern, isDurablePattern, linkOfPattern } from '@sentinel/contracts';
import { EmitOptions, EmitOutcome, LinkEmitter } from './link-emitter';
import type { LinkChannel } from './link-channel';
import type { LinkLedger } from './link-ledger';
import { MESSAGE_KEY, causeSite, messageKey } from './redis-streams-keys';

/** One link as the router sees it: its channel, its config, and whether its transport is full. */
export interface RoutedLink {
  channel: LinkChannel;
  config: Pick<LinkConfig, 'transport' | 'window' | 'maxQueued' | 'whenFull'>;
  /** The transport's own bound (a redis stream holding maxLen unacknowledged entries). */
  isFull?: (message: object) => boolean;
}

/**
 * The LinkEmitter modules get: routes each pattern to the channel of its link and applies the
 * delivery policy of the pattern (DeliveryPolicies in @sentinel/contracts): a durable message always
 * waits for room; a droppable one follows `links.<link>.whenFull` (else the caller's choice) and is
 * dropped, counted, once `window + maxQueued` messages are pending or the transport is full, so a
 * slow consumer never grows the producer's memory.
 */
export class LinkRouter extends LinkEmitter {
  private readonly logger = new Logger('LinkRouter');
  private readonly warned = new Set<string>();

  constructor(
    private readonly links: ReadonlyMap<string, RoutedLink>,
    private readonly ledger: LinkLedger,
    /** This process's site (config `site`): stamped on messages that carry none and have no cause with one. */
    private readonly site?: string,
  ) {
    super();
  }

  /** A message leaves with its own site, else its cause's (a crop's, for the cloud's identity and alert), else ours. */
  private withSite(message: object): object {
    if ((message as { site?: unknown }).site !== undefined) return message;
    const site = causeSite() ?? this.site;
    return site === undefined ? message : { ...message, site };
  }

  async emit(pattern: Pattern, message: object, options: EmitOptions = {}): Promise<EmitOutcome> {
    const name = linkOfPattern(pattern);
    const link = name && this.links.get(name);
    if (!link) {
      if (!this.warned.has(pattern)) {
        this.warned.add(pattern);
        this.logger.error(`no link carries ${pattern} from this process: messages of this kind are dropped`);
      }
      return 'failed';
    }
    const { channel, config } = link;
    message = this.withSite(message);
    const durable = isDurablePattern(pattern);
    if (!durable && (channel.pending >= config.window + config.maxQueued || link.isFull?.(message))) {
      this.ledger.outcome(channel.link, pattern, 'dropped');
      return 'dropped';
    }
    const whenFull = durable ? 'wait' : (config.whenFull ?? options.whenFull ?? 'wait');
    // One idempotency key per emit (not per retry), taken in the caller's context (see redis-streams-keys).
    const keyed = config.transport === 'redis-streams' ? { ...message, [MESSAGE_KEY]: messageKey(pattern, message) } : message;
    return channel.emit(pattern, keyed, { ...options, whenFull });
  }

  /** Resolves when no message is in flight on any link. */
  async drain(): Promise<void> {
    await Promise.all([...this.links.values()].map(({ channel }) => channel.drain()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map(({ channel }) => channel.close()));
  }

  channel(link: string): LinkChannel | undefined {
    return this.links.get(link)?.channel;
  }
}
