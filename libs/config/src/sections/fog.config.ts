import { IsInt, Max, Min } from 'class-validator';

/** Settings of the fog (detection) module. Every property needs class-validator decorators (unknown keys are errors). */
export class FogConfig {
  /** onnxruntime intra-op threads of the detector session. */
  @IsInt() @Min(1) @Max(64) threads = 1;
}
