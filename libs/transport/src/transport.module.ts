import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { SENTINEL_CONFIG, SentinelConfig, linkRolesOfProcess } from '@sentinel/config';
import { HealthRegistry } from '@sentinel/telemetry';
import { InprocBus } from './inproc-transport';
import { LinkChannel } from './link-channel';
import { LinkEmitter } from './link-emitter';
import { createLinkClient } from './link-factory';
import { producerHealth } from './link-health';
import { LinkLedger } from './link-ledger';
import { LinkRouter, RoutedLink } from './link-router';
import { RedisStreamsClient } from './redis-streams-client';

/**
 * Producer ends of every link this process sends on, as one LinkEmitter. The consumer ends (servers)
 * are connected by the application bootstrap, since Nest attaches them to the app itself.
 */
@Global()
@Module({})
export class TransportModule implements OnApplicationShutdown {
  constructor(@Inject(LinkRouter) private readonly router: LinkRouter) {}

  static forRoot(bus: InprocBus): DynamicModule {
    return {
      module: TransportModule,
      providers: [
        LinkLedger,
        { provide: InprocBus, useValue: bus },
        {
          provide: LinkRouter,
          inject: [SENTINEL_CONFIG, LinkLedger, HealthRegistry],
          useFactory: (config: SentinelConfig, ledger: LinkLedger, health: HealthRegistry) => {
            const links = new Map<string, RoutedLink>();
            for (const { link } of linkRolesOfProcess(config).filter((role) => role.produces)) {
              const linkConfig = config.links[link];
              const client = createLinkClient(link, linkConfig, { ledger, bus });
              const channel = new LinkChannel(link, client, linkConfig, ledger);
              const isFull = client instanceof RedisStreamsClient ? (message: object) => client.isFull(message) : undefined;
              links.set(link, { channel, config: linkConfig, isFull });
              health.register(`link:${link}:producer`, producerHealth(link, linkConfig, channel, bus), { required: false });
            }
            return new LinkRouter(links, ledger, config.site);
          },
        },
        { provide: LinkEmitter, useExisting: LinkRouter },
      ],
      exports: [LinkLedger, InprocBus, LinkRouter, LinkEmitter],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.router.close();
  }
}
