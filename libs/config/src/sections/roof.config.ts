import { IsInt, Max, Min } from 'class-validator';

/** Settings of the roof (frame-change) module. Every property needs class-validator decorators (unknown keys are errors). */
export class RoofConfig {
  /** JPEG quality of forwarded frames and regions. */
  @IsInt() @Min(1) @Max(100) jpegQuality = 80;
}
