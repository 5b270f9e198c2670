import { Type } from 'class-transformer';
import { Equals, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { SCHEMA_VERSION } from './patterns';

/** Camera ids appear in topics, URLs and metric labels: keep them to a safe alphabet. */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Axis-aligned box in pixels of the full frame: top-left corner and size. */
export class Box {
  @IsNumber() x!: number;
  @IsNumber() y!: number;
  @IsNumber() @Min(0) width!: number;
  @IsNumber() @Min(0) height!: number;
}

/** Fields every message carries. */
export abstract class MessageBase {
  @Equals(SCHEMA_VERSION) v!: number;
  @IsString() @Matches(CAMERA_ID_PATTERN) cameraId!: string;
  /** Capture time of the source frame, epoch milliseconds. */
  @IsNumber() @Min(0) capturedAt!: number;
  /** Set by the link layer when the message is handed to a transport (epoch ms): link transfer latency. */
  @IsOptional() @IsNumber() @Min(0) sentAt?: number;
}

export class Detection {
  @IsInt() @Min(0) @Max(10_000) classId!: number;
  @IsString() label!: string;
  @IsNumber() @Min(0) @Max(1) score!: number;
  @ValidateNested() @Type(() => Box) box!: Box;
}
