import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Equals, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { SCHEMA_VERSION } from './patterns';

/** Camera ids appear in topics, URLs and metric labels: keep them to a safe alphabet. */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** A site id (a roof and its fogs), as config's `site` accepts it. */
export const SITE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Axis-aligned box in pixels: top-left corner and size. The one box type of the project: messages
 * (validated), geometry in every tier, evaluation, and REST responses (documented).
 */
export class Box {
  @ApiProperty() @IsNumber() x!: number;
  @ApiProperty() @IsNumber() y!: number;
  @ApiProperty() @IsNumber() @Min(0) width!: number;
  @ApiProperty() @IsNumber() @Min(0) height!: number;
}

/** Area of a box; 0 for a negative size. */
export function area(box: Box): number {
  return Math.max(0, box.width) * Math.max(0, box.height);
}

/** Intersection over union of two boxes; 0 when either is empty. The one IoU of the project (fog tracking, NMS, evaluation). */
export function iou(a: Box, b: Box): number {
  const ix = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const iy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** The part of `box` inside a width x height image (may have zero size). */
export function clipBox(box: Box, width: number, height: number): Box {
  const x1 = Math.min(Math.max(box.x, 0), width);
  const y1 = Math.min(Math.max(box.y, 0), height);
  const x2 = Math.min(Math.max(box.x + box.width, 0), width);
  const y2 = Math.min(Math.max(box.y + box.height, 0), height);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** Fields every message carries. */
export abstract class MessageBase {
  @Equals(SCHEMA_VERSION) v!: number;
  @IsString() @Matches(CAMERA_ID_PATTERN) cameraId!: string;
  /** Capture time of the source frame, epoch milliseconds. */
  @IsNumber() @Min(0) capturedAt!: number;
  /** Set by the link layer when the message is handed to a transport (epoch ms): link transfer latency. */
  @IsOptional() @IsNumber() @Min(0) sentAt?: number;
  /** The site the message started at (config `site`), stamped by the link layer; derived messages keep their cause's site. */
  @IsOptional() @IsString() @Matches(SITE_PATTERN) site?: string;
}

export class Detection {
  @IsInt() @Min(0) @Max(10_000) classId!: number;
  @IsString() label!: string;
  @IsNumber() @Min(0) @Max(1) score!: number;
  @ValidateNested() @Type(() => Box) box!: Box;
}
