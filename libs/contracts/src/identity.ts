import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MessageBase } from './common';

/** How the cloud decided a track: named (an enrolled person) or unknown (a stranger). Undecided tracks send nothing. */
export const IdentityDecisions = ['named', 'unknown'] as const;
export type IdentityDecision = (typeof IdentityDecisions)[number];

/** cloud -> notification (`identity`): who a face crop showed. */
export class IdentityMessage extends MessageBase {
  @IsInt() @Min(0) trackId!: number;
  @IsBoolean() known!: boolean;
  /** Gallery person id when known; the stable unknown id (e.g. `unknown-7`) when not. */
  @IsString() identityId!: string;
  @IsOptional() @IsString() name?: string;
  /** Cosine similarity of the best match, -1..1 (pooled over the track's faces when `facesPooled` is set). */
  @IsNumber() @Min(-1) @Max(1) similarity!: number;
  /** The open-set decision (absent from older producers: `known` says it). */
  @IsOptional() @IsIn(IdentityDecisions as unknown as string[]) decision?: IdentityDecision;
  /** Faces of the track the decision pooled. */
  @IsOptional() @IsInt() @Min(1) @Max(1000) facesPooled?: number;
  /** The unknown id this person's track had before, now merged into the person. */
  @IsOptional() @IsString() @MaxLength(64) @Matches(/^unknown-\d+$/) mergedFrom?: string;
}
