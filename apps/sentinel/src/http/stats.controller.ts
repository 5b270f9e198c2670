import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SENTINEL_CONFIG, SentinelConfig, modulesOfProcess } from '@sentinel/config';
import { HealthRegistry, StageTimer } from '@sentinel/telemetry';
import { LinkLedger } from '@sentinel/transport';

@ApiTags('operations')
@Controller('stats')
export class StatsController {
  constructor(
    @Inject(SENTINEL_CONFIG) private readonly config: SentinelConfig,
    private readonly stages: StageTimer,
    private readonly ledger: LinkLedger,
    private readonly health: HealthRegistry,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Exact counters of this process as JSON: link traffic per pattern and camera, stage latency percentiles (ms), and each component\'s state and counters',
  })
  async stats() {
    const components = Object.fromEntries(await Promise.all(this.health.names().map(async (name) => [name, await this.health.check(name)] as const)));
    return {
      tier: this.config.tier,
      site: this.config.site,
      modules: modulesOfProcess(this.config),
      links: this.ledger.snapshot(),
      stages: this.stages.samples.summary(),
      components,
    };
  }
}
