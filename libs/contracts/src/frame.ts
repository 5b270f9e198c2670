import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { IsBytes } from './is-bytes';
import { MessageBase } from './common';

export const MAX_JPEG_BYTES = 16 * 1024 * 1024;
export const MAX_FRAME_SIDE = 16_384;

/**
 * One changed region of a frame: where it sits in the frame, and where its pixels sit in the
 * message's atlas (the one JPEG that carries every region of the frame).
 */
export class ChangedRegion {
  @IsInt() @Min(0) x!: number;
  @IsInt() @Min(0) y!: number;
  @IsInt() @Min(1) width!: number;
  @IsInt() @Min(1) height!: number;
  @IsInt() @Min(0) atlasX!: number;
  @IsInt() @Min(0) atlasY!: number;
}

export type FrameKind = 'frame' | 'regions';

export const FrameCodecs = ['jpeg', 'h264'] as const;
/** `jpeg` (default): `jpeg` holds a picture. `h264`: `packet` holds one H.264 access unit (Annex-B) of the camera's forwarded stream. */
export type FrameCodec = (typeof FrameCodecs)[number];

/**
 * roof -> fog (`frame.changed`). `kind: 'frame'`: `jpeg` is the whole frame (the paper's policy,
 * also used for heartbeats and resyncs). `kind: 'regions'`: only what changed; `jpeg` is an atlas,
 * the changed regions packed side by side into one image, and `regions` says where each came from.
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
  /**
   * Position of the frame in its stream (ms from the stream's first frame) when the source has a
   * timeline of its own (files): trackers run on it, so a file processed faster or slower than real
   * time gives the same tracks. Live sources leave it out (capturedAt is their clock).
   */
  @IsOptional() @IsNumber() @Min(0) streamTimeMs?: number;
  /**
   * `regions` only: the seq of the message these regions update (the camera's previous forwarded
   * message). A fog that holds exactly that frame pastes the regions into it and sees the whole
   * current frame; any other fog (restarted, missed a message) uses the regions on their own.
   */
  @ValidateIf((m: FrameMessage) => (m.kind === 'regions' || m.codec === 'h264') && m.baseSeq !== undefined)
  @IsInt()
  @Min(0)
  baseSeq?: number;

  /** How the frame travels; absent = `jpeg`. `h264` only with `kind: 'frame'`. */
  @IsOptional()
  @ValidateBy({
    name: 'h264WholeFrames',
    validator: { validate: (codec: unknown, args) => codec !== 'h264' || (args?.object as FrameMessage).kind === 'frame', defaultMessage: () => 'codec h264 needs kind frame' },
  })
  @IsIn(FrameCodecs as unknown as string[])
  codec?: FrameCodec;

  @ValidateIf((m: FrameMessage) => m.codec !== 'h264')
  @IsBytes({ maxLength: MAX_JPEG_BYTES })
  jpeg!: Uint8Array;

  /**
   * `codec: 'h264'`: one access unit (Annex-B). Unless `keyframe`, it decodes only after the packet of
   * `baseSeq` (the camera's previous message); a fog whose decoder is not there answers `resync`.
   */
  @ValidateIf((m: FrameMessage) => m.codec === 'h264')
  @IsBytes({ maxLength: MAX_JPEG_BYTES })
  packet?: Uint8Array;

  /** `codec: 'h264'`: the packet is an IDR frame (decodes on its own). */
  @IsOptional() @IsBoolean() keyframe?: boolean;

  @ValidateIf((m: FrameMessage) => m.kind === 'regions')
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => ChangedRegion)
  regions?: ChangedRegion[];
}
