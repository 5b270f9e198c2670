import { ArrayUnique, IsArray, IsIn } from 'class-validator';

export const TierNames = ['roof', 'fog', 'cloud'] as const;
export type TierName = (typeof TierNames)[number];
export const TierChoices = ['all', ...TierNames] as const;
export type TierChoice = (typeof TierChoices)[number];

export const ModuleNames = ['frame-change', 'detection', 'face-recognition', 'notification'] as const;
export type ModuleName = (typeof ModuleNames)[number];

const moduleMessage = { message: `each module must be one of: ${ModuleNames.join(', ')}` };

/** Which modules each tier runs. `--tier=all` runs the union in one process. */
export class PlacementConfig {
  @IsArray() @ArrayUnique() @IsIn(ModuleNames as unknown as string[], { each: true, ...moduleMessage })
  roof: ModuleName[] = ['frame-change'];

  @IsArray() @ArrayUnique() @IsIn(ModuleNames as unknown as string[], { each: true, ...moduleMessage })
  fog: ModuleName[] = ['detection'];

  @IsArray() @ArrayUnique() @IsIn(ModuleNames as unknown as string[], { each: true, ...moduleMessage })
  cloud: ModuleName[] = ['face-recognition', 'notification'];
}
