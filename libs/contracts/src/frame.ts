import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { IsBytes } from './is-bytes';
import { MessageBase } from './common';

export const MAX_JPEG_BYTES = 16 * 1024 * 1024;
export const MAX_FRAME_SIDE = 16_384;

/** One changed region of a frame: its JPEG crop and where it sits in the frame. */
export class RegionCrop {
  @IsInt() @Min(0) x!: number;
  @IsInt() @Min(0) y!: number;
  @IsInt() @Min(1) width!: number;
  @IsInt() @Min(1) height!: number;
  @IsBytes({ maxLength: MAX_JPEG_BYTES }) jpeg!: Uint8Array;
}

export type FrameKind = 'frame' | 'regions';

/**
 * roof -> fog (`frame.changed`). `kind: 'frame'` carries the whole frame as JPEG (the paper's
 * policy, also used for heartbeats); `kind: 'regions'` only JPEG crops of what changed.
 */
export class FrameMessage extends MessageBase {
  /** Frame index in the camera's stream, from 0. */
  @IsInt() @Min(0) seq!: number;
  @IsInt() @Min(1) @Max(MAX_FRAME_SIDE) width!: number;
  @IsInt() @Min(1) @Max(MAX_FRAME_SIDE) height!: number;
  @IsIn(['frame', 'regions']) kind!: FrameKind;
  /** Fraction of the (downscaled) frame that changed, 0..1. */
  @IsNumber() @Min(0) @Max(1) changeScore!: number;
  @IsOptional() @IsBoolean() heartbeat?: boolean;

  @ValidateIf((m: FrameMessage) => m.kind === 'frame')
  @IsBytes({ maxLength: MAX_JPEG_BYTES })
  jpeg?: Uint8Array;

  @ValidateIf((m: FrameMessage) => m.kind === 'regions')
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => RegionCrop)
  regions?: RegionCrop[];
}
