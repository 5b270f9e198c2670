import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UsePipes } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventStore } from '../event-store';
import { NotificationStats } from '../notification-stats';
import { NotificationService } from '../notification.service';
import { DeadLetterPageDto, DeadLetterSeqParam, ListDeadLettersQuery, NotificationStatsDto } from './events.dto';
import { httpValidation } from './events.controller';

@ApiTags('notifications')
@Controller('notifications')
@UsePipes(httpValidation)
export class NotificationsController {
  constructor(
    private readonly store: EventStore,
    private readonly notifications: NotificationService,
    private readonly stats: NotificationStats,
  ) {}

  @Get('dead-letters')
  @ApiOperation({ summary: 'Deliveries given up, newest first', description: 'A 4xx answer (other than 408/429), or failures for longer than retry.giveUpAfterMs.' })
  @ApiOkResponse({ type: DeadLetterPageDto })
  deadLetters(@Query() query: ListDeadLettersQuery): DeadLetterPageDto {
    return this.store.listDeadLetters({
      target: query.target,
      cameraId: query.camera,
      beforeSeq: query.cursor !== undefined ? Number(query.cursor) : undefined,
      limit: query.limit,
    });
  }

  @Post('dead-letters/:seq/retry')
  @HttpCode(204)
  @ApiOperation({ summary: 'Queue a dead letter again (after fixing the receiver)' })
  @ApiNoContentResponse({ description: 'Queued at the end of its target\'s outbox' })
  @ApiNotFoundResponse({ description: 'No such dead letter' })
  retry(@Param() params: DeadLetterSeqParam): void {
    if (!this.notifications.requeue(params.seq)) throw new NotFoundException(`dead letter ${params.seq} not found`);
  }

  @Get('stats')
  @ApiOperation({ summary: 'Counters of this process since it started' })
  @ApiOkResponse({ type: NotificationStatsDto })
  getStats(): NotificationStatsDto {
    return this.stats.snapshot();
  }
}
