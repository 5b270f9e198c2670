import { Type } from 'class-transformer';
import { IsIn, IsString, Matches, ValidateNested } from 'class-validator';
import { CloudConfig } from './sections/cloud.config';
import { FogConfig } from './sections/fog.config';
import { HttpConfig } from './sections/http.config';
import { LinksConfig } from './sections/link.config';
import { NotificationConfig } from './sections/notification.config';
import { PlacementConfig, TierChoice, TierChoices } from './sections/placement.config';
import { RoofConfig } from './sections/roof.config';

/** The whole configuration, validated once at boot. */
export class SentinelConfig {
  @IsIn(TierChoices as unknown as string[], { message: `tier must be one of: ${TierChoices.join(', ')}` })
  tier: TierChoice = 'all';

  /**
   * The site this process belongs to (a roof and its fogs): carried on the crops, identities, alerts
   * and events that start here, and counted per site in the cloud's /stats.
   */
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'site must match [A-Za-z0-9_.-]{1,64}' }) @IsString() site = 'default';

  /** Folder for databases, outboxes and other state. */
  @IsString() dataDir = './var';

  @ValidateNested() @Type(() => HttpConfig) http: HttpConfig = new HttpConfig();
  @ValidateNested() @Type(() => PlacementConfig) placement: PlacementConfig = new PlacementConfig();
  @ValidateNested() @Type(() => LinksConfig) links: LinksConfig = new LinksConfig();
  @ValidateNested() @Type(() => RoofConfig) roof: RoofConfig = new RoofConfig();
  @ValidateNested() @Type(() => FogConfig) fog: FogConfig = new FogConfig();
  @ValidateNested() @Type(() => CloudConfig) cloud: CloudConfig = new CloudConfig();
  @ValidateNested() @Type(() => NotificationConfig) notification: NotificationConfig = new NotificationConfig();
}

/** DI token for the validated SentinelConfig. */
export const SENTINEL_CONFIG = Symbol('SENTINEL_CONFIG');
