import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, Min, ValidateNested } from 'class-validator';
import { Detection, MessageBase } from './common';

export class TrackedDetection extends Detection {
  @IsOptional() @IsInt() @Min(0) trackId?: number;
}

/** fog -> notification (`detections`): what the detector saw in one frame, in frame coordinates. */
export class DetectionsMessage extends MessageBase {
  @IsInt() @Min(0) seq!: number;
  @IsInt() @Min(1) width!: number;
  @IsInt() @Min(1) height!: number;
  @IsArray() @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => TrackedDetection)
  detections!: TrackedDetection[];
}
