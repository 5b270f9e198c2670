import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Box, CAMERA_ID_PATTERN } from '@sentinel/contracts';

/** Accepts epoch milliseconds or an ISO 8601 date; anything else stays a string and fails @IsInt. */
const toEpochMs = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string' || value === '') return value;
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? value : parsed;
};

export const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Paging of a listing that goes from newest to oldest (events, dead letters). */
export class PageQuery {
  @ApiPropertyOptional({ description: 'Page size', default: 50, minimum: 1, maximum: 500 })
  @IsOptional() @Type(() => Number) @Min(1) @Max(500) @IsInt()
  limit = 50;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page (pages go from newest to oldest)' })
  @IsOptional() @Matches(/^\d{1,15}$/, { message: 'cursor must be a nextCursor returned by this API' }) @IsString()
  cursor?: string;
}

export class ListEventsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Camera id' })
  @IsOptional() @Matches(CAMERA_ID_PATTERN) @IsString()
  camera?: string;

  @ApiPropertyOptional({ description: 'Alert kind (intruder, suspicious-object, camera-down, camera-up, identity, ...)' })
  @IsOptional() @Matches(/^[a-z][a-z0-9-]{0,63}$/) @IsString()
  kind?: string;

  @ApiPropertyOptional({ description: 'Events raised at or after this time: epoch ms or ISO 8601', example: '2026-01-01T00:00:00Z' })
  @IsOptional() @Transform(toEpochMs) @Min(0) @IsInt({ message: 'since must be epoch milliseconds or an ISO 8601 date' })
  since?: number;

  @ApiPropertyOptional({ description: 'Events raised at or before this time: epoch ms or ISO 8601' })
  @IsOptional() @Transform(toEpochMs) @Min(0) @IsInt({ message: 'until must be epoch milliseconds or an ISO 8601 date' })
  until?: number;
}

export class EventIdParam {
  @ApiProperty({ description: 'Event id (the alert id)' })
  @Matches(EVENT_ID_PATTERN, { message: 'id must be 1..128 characters of A-Z a-z 0-9 _ . : -' }) @IsString()
  id!: string;
}

export class ListDeadLettersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Camera id' })
  @IsOptional() @Matches(CAMERA_ID_PATTERN) @IsString()
  camera?: string;

  @ApiPropertyOptional({ description: 'Delivery target, e.g. `webhook:https://example.org/hook` or `mqtt`' })
  @IsOptional() @IsString()
  target?: string;
}

export class DeadLetterSeqParam {
  @ApiProperty({ description: 'Dead letter number (`seq`)' })
  @Type(() => Number) @Min(1) @IsInt()
  seq!: number;
}

export class EventDto {
  @ApiProperty({ description: 'Alert id (also the delivery idempotency key)' }) id!: string;
  @ApiProperty({ example: 'intruder' }) kind!: string;
  @ApiProperty() cameraId!: string;
  @ApiProperty({ enum: ['alert', 'low'], description: '`low`: a recorded identity sighting, never sent' }) priority!: string;
  @ApiProperty({ description: 'Time the alert was raised, epoch ms' }) at!: number;
  @ApiProperty({ description: 'Capture time of the source frame, epoch ms' }) capturedAt!: number;
  @ApiProperty({ description: 'Time this service accepted it, epoch ms' }) receivedAt!: number;
  @ApiPropertyOptional({ description: 'Identity (intruders) or object class' }) subject?: string;
  @ApiPropertyOptional() label?: string;
  @ApiPropertyOptional() trackId?: number;
  @ApiPropertyOptional({ description: 'Detector score or similarity, -1..1' }) score?: number;
  @ApiPropertyOptional({ type: [Box] }) boxes?: Box[];
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: Record<string, unknown>;
  @ApiProperty({ description: 'Passed the cooldown and was sent; false: grouped under `groupId`' }) notified!: boolean;
  @ApiProperty({ description: 'Id of the notified alert this one is grouped under (its own id when notified)' }) groupId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Path of the snapshot JPEG, null without one' }) snapshotUrl!: string | null;
}

export class EventPageDto {
  @ApiProperty({ type: [EventDto] }) items!: EventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next (older) page; null on the last page' })
  nextCursor!: string | null;
}

export class DeadLetterDto {
  @ApiProperty({ description: 'Dead letter number' }) seq!: number;
  @ApiProperty() alertId!: string;
  @ApiProperty({ description: 'Delivery target (webhook:<url> or mqtt)' }) target!: string;
  @ApiProperty({ enum: ['webhook', 'mqtt'] }) channel!: string;
  @ApiProperty() cameraId!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ description: 'Why it was given up, e.g. `HTTP 404: not found`' }) reason!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'HTTP status of the last answer, when there was one' }) status!: number | null;
  @ApiProperty({ description: 'When the alert was queued, epoch ms' }) createdAt!: number;
  @ApiProperty({ description: 'When it was given up, epoch ms' }) deadAt!: number;
}

export class DeadLetterPageDto {
  @ApiProperty({ type: [DeadLetterDto] }) items!: DeadLetterDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class NotificationStatsDto {
  @ApiProperty() alertsReceived!: number;
  @ApiProperty() alertsDuplicate!: number;
  @ApiProperty() alertsSuppressed!: number;
  @ApiProperty() alertsNotified!: number;
  @ApiProperty() messagesInvalid!: number;
  @ApiProperty({ description: 'Deliveries that succeeded, all channels' }) notificationsSent!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { webhook: 3, mqtt: 3, log: 3 } }) sentByChannel!: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) failedByChannel!: Record<string, number>;
  @ApiProperty() deadLettered!: number;
  @ApiProperty() outboxDepth!: number;
  @ApiProperty() identitiesKnown!: number;
  @ApiProperty() identitiesUnknown!: number;
  @ApiProperty() identityEventsRecorded!: number;
  @ApiProperty() detectionMessages!: number;
  @ApiProperty() detections!: number;
}
