import { Logger } from '@nestjs/common';
import { Pattern, linkOfPattern } from '@sentinel/contracts';
import { EmitOptions, EmitOutcome, LinkEmitter } from './link-emitter';
import type { LinkChannel } from './link-channel';

/** The LinkEmitter modules get: routes each pattern to the channel of its link. */
export class LinkRouter extends LinkEmitter {
  private readonly logger = new Logger('LinkRouter');
  private readonly warned = new Set<string>();

  constructor(private readonly channels: ReadonlyMap<string, LinkChannel>) {
    super();
  }

  async emit(pattern: Pattern, message: object, options?: EmitOptions): Promise<EmitOutcome> {
    const link = linkOfPattern(pattern);
    const channel = link && this.channels.get(link);
    if (!channel) {
      if (!this.warned.has(pattern)) {
        this.warned.add(pattern);
        this.logger.error(`no link carries ${pattern} from this process: messages of this kind are dropped`);
      }
      return 'failed';
    }
    return channel.emit(pattern, message, options);
  }

  /** Resolves when no message is in flight on any link. */
  async drain(): Promise<void> {
    await Promise.all([...this.channels.values()].map((channel) => channel.drain()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.channels.values()].map((channel) => channel.close()));
  }

  channel(link: string): LinkChannel | undefined {
    return this.channels.get(link);
  }
}
