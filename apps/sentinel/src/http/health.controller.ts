import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { HealthRegistry } from '@sentinel/telemetry';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and readiness of every module and link of this process (503 when one is down)' })
  check() {
    return this.health.check(
      this.registry.names().map((name) => async () => {
        const { status, ...details } = await this.registry.check(name);
        const session = this.indicators.check(name);
        return status === 'up' ? session.up(details) : session.down(details);
      }),
    );
  }
}
