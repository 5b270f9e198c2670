import { IsBoolean, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { MessageBase } from './common';

/** cloud -> notification (`identity`): who a face crop showed. */
export class IdentityMessage extends MessageBase {
  @IsInt() @Min(0) trackId!: number;
  @IsBoolean() known!: boolean;
  /** Gallery person id when known; the stable unknown id (e.g. `unknown-7`) when not. */
  @IsString() identityId!: string;
  @IsOptional() @IsString() name?: string;
  /** Cosine similarity of the best match, -1..1. */
  @IsNumber() @Min(-1) @Max(1) similarity!: number;
}
