import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CAMERA_ID_PATTERN } from '@sentinel/contracts';
import { SightingDecision, SightingDecisions } from '../gallery/sightings-store';

export const MAX_SIGHTINGS_PAGE = 500;

/** `GET /sightings` query: every filter optional; `since` <= `until` (checked by the controller). */
export class ListSightingsQuery {
  @ApiPropertyOptional({ example: 'cam-door' })
  @IsOptional() @Matches(CAMERA_ID_PATTERN, { message: 'cameraId must match [A-Za-z0-9_.-]{1,64}' }) @IsString()
  cameraId?: string;

  @ApiPropertyOptional({ description: 'a person id, or an unknown id (unknown-7)' })
  @IsOptional() @MaxLength(128) @IsString()
  personId?: string;

  @ApiPropertyOptional({ enum: SightingDecisions })
  @IsOptional() @IsIn(SightingDecisions as unknown as string[], { message: `decision must be one of: ${SightingDecisions.join(', ')}` })
  decision?: SightingDecision;

  @ApiPropertyOptional({ description: 'captured at or after, epoch ms' })
  @IsOptional() @Min(0) @IsInt() @Type(() => Number)
  since?: number;

  @ApiPropertyOptional({ description: 'captured before, epoch ms' })
  @IsOptional() @Min(0) @IsInt() @Type(() => Number)
  until?: number;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: MAX_SIGHTINGS_PAGE })
  @IsOptional() @Max(MAX_SIGHTINGS_PAGE) @Min(1) @IsInt() @Type(() => Number)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional() @Min(0) @IsInt() @Type(() => Number)
  offset?: number;
}

export class SightingDto {
  @ApiProperty() id!: number;
  @ApiProperty() cameraId!: string;
  @ApiProperty() trackId!: number;
  @ApiProperty({ description: 'frame capture, epoch ms' }) capturedAt!: number;
  @ApiProperty({ description: 'decision time, epoch ms' }) decidedAt!: number;
  @ApiProperty({ enum: SightingDecisions }) decision!: SightingDecision;
  @ApiProperty({ nullable: true, type: String, description: 'person (named), unknown id (unknown), nearest person (undecided)' }) identityId!: string | null;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ description: 'pooled cosine similarity of the decision' }) similarity!: number;
  @ApiProperty({ description: 'faces of the track pooled' }) facesPooled!: number;
  @ApiProperty({ description: 'smaller side of the face, px' }) faceSize!: number;
  @ApiProperty({ description: 'face quality score 0..1' }) faceQuality!: number;
  @ApiProperty({ nullable: true, type: String, description: 'the unknown id merged into this person' }) mergedFrom!: string | null;
}

export class SightingsPageDto {
  @ApiProperty({ type: [SightingDto] }) items!: SightingDto[];
  @ApiProperty({ description: 'sightings matching the filters in all' }) total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'offset of the next page, null on the last' }) nextOffset!: number | null;
}
