import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { IsBytes } from './is-bytes';
import { Box, MessageBase } from './common';

/** A crop never carries a whole frame: the fog sends faces (or, by config, a person) only. */
export const MAX_CROP_BYTES = 512 * 1024;

/** How good a face is for recognition, scored by the fog (all 0..1 but the size). */
export class FaceQuality {
  /** Overall score the fog ranks a track's faces by, 0..1. */
  @IsNumber() @Min(0) @Max(1) score!: number;
  /** Smaller side of the face box, in source pixels. */
  @IsNumber() @Min(0) @Max(16384) size!: number;
  /** Focus (normalised Laplacian energy), 0..1. */
  @IsNumber() @Min(0) @Max(1) sharpness!: number;
  /** How frontal the face is from its landmarks, 0..1 (1: looking at the camera). */
  @IsNumber() @Min(0) @Max(1) frontal!: number;
}

/** fog -> cloud (`face.crop`): one face (or person, when no face was found) of one track. */
export class FaceCropMessage extends MessageBase {
  @IsInt() @Min(0) seq!: number;
  @IsInt() @Min(0) trackId!: number;
  @IsIn(['face', 'person']) kind!: 'face' | 'person';
  @IsBytes({ maxLength: MAX_CROP_BYTES }) jpeg!: Uint8Array;
  /** The person's box in the frame. */
  @ValidateNested() @Type(() => Box) personBox!: Box;
  /** The face's box in the frame, when a face was found. */
  @IsOptional() @ValidateNested() @Type(() => Box) faceBox?: Box;
  /** Detector confidence of the person, 0..1. */
  @IsNumber() @Min(0) @Max(1) personScore!: number;
  /** Face detector confidence, 0..1, when a face was found. */
  @IsOptional() @IsNumber() @Min(0) @Max(1) faceScore?: number;
  /** Quality of the face, when a face was found. */
  @IsOptional() @ValidateNested() @Type(() => FaceQuality) quality?: FaceQuality;
  /** How many usable faces of this track the fog has seen so far (this one included). */
  @IsOptional() @IsInt() @Min(0) facesSeen?: number;
}
