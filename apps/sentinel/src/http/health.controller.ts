import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ComponentHealth, HealthRegistry, HealthReport } from '@sentinel/telemetry';
import type { Response } from 'express';

/** The combined view, shaped as before (Terminus): `info` what works, `error` what is down, `details` all. */
export function combinedHealthBody(report: HealthReport) {
  const info: Record<string, ComponentHealth> = {};
  const error: Record<string, ComponentHealth> = {};
  for (const [name, { required, ...health }] of Object.entries(report.components)) {
    (health.status === 'down' ? error : info)[name] = { ...health, ...(required ? {} : { optional: true }) };
  }
  return { status: report.ready ? report.status : 'error', reasons: report.reasons, info, error, details: { ...info, ...error } };
}

/** Health routes stay public (no API key): orchestrators and load balancers call them. */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Every module and link of this process: status ok, degraded (a channel or peer down) or error (503: a required part is down)' })
  @ApiResponse({ status: 503, description: 'A required module or link is down (reasons listed)' })
  async check(@Res({ passthrough: true }) res: Response) {
    const report = await this.registry.report();
    res.status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return combinedHealthBody(report);
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process and its event loop run' })
  live() {
    return { status: 'up', pid: process.pid, uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 when every required module and link of this tier can work (status ok or degraded), 503 with the reasons otherwise' })
  @ApiResponse({ status: 503, description: 'Not ready: the reasons say which component is down and why' })
  async ready(@Res({ passthrough: true }) res: Response) {
    const { ready, status, reasons } = await this.registry.report();
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? status : 'down', reasons };
  }
}
