import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsBytes } from './is-bytes';
import { Box, MessageBase } from './common';

/** Built-in alert kinds. The contract accepts any kebab-case kind so new ones need no schema change. */
export const AlertKinds = {
  Intruder: 'intruder',
  SuspiciousObject: 'suspicious-object',
  CameraDown: 'camera-down',
  CameraUp: 'camera-up',
} as const;

export const MAX_SNAPSHOT_BYTES = 2 * 1024 * 1024;

/** What an intruder alert rests on (cloud, kind `intruder`). */
export class IntruderEvidence {
  /** Faces of the track the cloud pooled for the decision. */
  @IsInt() @Min(1) @Max(1000) facesPooled!: number;
  /** Usable faces of the track the fog had seen (its `facesSeen`), when it said. */
  @IsOptional() @IsInt() @Min(0) facesSeen?: number;
  /** Smaller side (source px) and quality score 0..1 of the face the alert shows. */
  @IsNumber() @Min(0) @Max(16384) faceSize!: number;
  @IsNumber() @Min(0) @Max(1) faceQuality!: number;
  /** The enrolled person the stranger resembles most, and that (pooled) similarity. Absent with an empty gallery. */
  @IsOptional() @IsString() @MaxLength(128) nearestPersonId?: string;
  @IsOptional() @IsString() @MaxLength(256) nearestName?: string;
  @IsOptional() @IsNumber() @Min(-1) @Max(1) nearestSimilarity?: number;
  /**
   * `face`: a face pooled below the lower threshold decided it; `track-end`: the track stayed undecided
   * and was decided when it ended (no face for `cloud.trackEndMs`, or `cloud.trackEndFaces` faces pooled). Absent from older producers.
   */
  @IsOptional() @IsIn(['face', 'track-end']) decidedAt?: 'face' | 'track-end';
  /** Track end only: what ended it (`idle`: no face for a while; `faces`: enough faces pooled). */
  @IsOptional() @IsIn(['idle', 'faces']) endTrigger?: 'idle' | 'faces';
  /** Track end only: `far-from-everyone` (pooled best below the end threshold) or `no-clear-match` (best within the margin of the second). */
  @IsOptional() @IsIn(['far-from-everyone', 'no-clear-match']) endReason?: 'far-from-everyone' | 'no-clear-match';
  /** The second nearest enrolled person and that pooled similarity, and nearest minus second. */
  @IsOptional() @IsString() @MaxLength(128) secondPersonId?: string;
  @IsOptional() @IsString() @MaxLength(256) secondName?: string;
  @IsOptional() @IsNumber() @Min(-1) @Max(1) secondSimilarity?: number;
  @IsOptional() @IsNumber() @Min(-2) @Max(2) margin?: number;
}

/** any tier -> notification (`alert`). */
export class AlertMessage extends MessageBase {
  /** Globally unique id (also the delivery idempotency key). */
  @IsString() @Matches(/^[A-Za-z0-9_.:-]{8,128}$/) id!: string;
  @IsString() @Matches(/^[a-z][a-z0-9-]{0,63}$/) kind!: string;
  /** Time the alert was raised, epoch ms. */
  @IsNumber() @Min(0) at!: number;
  @IsOptional() @IsInt() @Min(0) trackId?: number;
  /** Identity (intruders: the unknown id) or object class (suspicious objects). */
  @IsOptional() @IsString() subject?: string;
  @IsOptional() @IsString() label?: string;
  @IsOptional() @IsNumber() @Min(-1) @Max(1) score?: number;
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => Box) boxes?: Box[];
  @IsOptional() @IsBytes({ maxLength: MAX_SNAPSHOT_BYTES }) snapshot?: Uint8Array;
  @IsOptional() @IsString() message?: string;
  @IsOptional() @IsObject() details?: Record<string, unknown>;
  /** Intruder alerts: the evidence (validated; optional so other kinds and older producers stay valid). */
  @IsOptional() @ValidateNested() @Type(() => IntruderEvidence) evidence?: IntruderEvidence;
}
