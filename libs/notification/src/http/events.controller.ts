import { Controller, Get, NotFoundException, Param, Query, StreamableFile, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Inject } from '@nestjs/common';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { EventStore, StoredEvent } from '../event-store';
import { snapshotPath } from '../notification-payload';
import { EventDto, EventIdParam, EventPageDto, ListEventsQuery } from './events.dto';

export const httpValidation = new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true });

export function toEventDto(event: StoredEvent, publicBaseUrl?: string): EventDto {
  const { seq: _seq, hasSnapshot, ...rest } = event;
  const path = snapshotPath(event.id);
  return { ...rest, snapshotUrl: hasSnapshot ? (publicBaseUrl ? `${publicBaseUrl.replace(/\/+$/, '')}${path}` : path) : null };
}

@ApiTags('events')
@Controller('events')
@UsePipes(httpValidation)
export class EventsController {
  constructor(
    private readonly store: EventStore,
    @Inject(SENTINEL_CONFIG) private readonly config: SentinelConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List events, newest first', description: 'Alerts (notified or grouped by the cooldown) and low-priority identity sightings.' })
  @ApiOkResponse({ type: EventPageDto })
  @ApiBadRequestResponse({ description: 'A filter is malformed (the message lists which)' })
  list(@Query() query: ListEventsQuery): EventPageDto {
    const page = this.store.listEvents({
      cameraId: query.camera,
      kind: query.kind,
      since: query.since,
      until: query.until,
      beforeSeq: query.cursor !== undefined ? Number(query.cursor) : undefined,
      limit: query.limit,
    });
    return { items: page.items.map((e) => toEventDto(e, this.config.notification.publicBaseUrl)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One event' })
  @ApiOkResponse({ type: EventDto })
  @ApiNotFoundResponse({ description: 'No such event (or removed by retention)' })
  get(@Param() params: EventIdParam): EventDto {
    const event = this.store.getEvent(params.id);
    if (!event) throw new NotFoundException(`event ${params.id} not found`);
    return toEventDto(event, this.config.notification.publicBaseUrl);
  }

  @Get(':id/snapshot.jpg')
  @ApiOperation({ summary: 'The snapshot JPEG of an event' })
  @ApiProduces('image/jpeg')
  @ApiOkResponse({ description: 'JPEG bytes', schema: { type: 'string', format: 'binary' } })
  @ApiNotFoundResponse({ description: 'No such event, or the event has no snapshot' })
  snapshot(@Param() params: EventIdParam): StreamableFile {
    const jpeg = this.store.getSnapshot(params.id);
    if (jpeg === undefined) throw new NotFoundException(`event ${params.id} not found`);
    if (jpeg === null) throw new NotFoundException(`event ${params.id} has no snapshot`);
    return new StreamableFile(jpeg, { type: 'image/jpeg', length: jpeg.length });
  }
}
