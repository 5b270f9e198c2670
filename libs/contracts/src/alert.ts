import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
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
}
