import { LinkName, LinkNames } from '@sentinel/contracts';
import { ModuleName, TierName, TierNames } from './sections/placement.config';
import type { SentinelConfig } from './sentinel.config';

/** Who sends on each link and who handles it. */
export const LinkEnds: Record<LinkName, { producers: readonly ModuleName[]; consumer: ModuleName }> = {
  roofToFog: { producers: ['frame-change'], consumer: 'detection' },
  fogToCloud: { producers: ['detection'], consumer: 'face-recognition' },
  notification: { producers: ['frame-change', 'detection', 'face-recognition'], consumer: 'notification' },
};

/** The modules this process runs. */
export function modulesOfProcess(config: SentinelConfig): ModuleName[] {
  const tiers: readonly TierName[] = config.tier === 'all' ? TierNames : [config.tier];
  return [...new Set(tiers.flatMap((tier) => config.placement[tier]))];
}

/** The tier hosting a module, if any. */
export function tierOfModule(config: SentinelConfig, module: ModuleName): TierName | undefined {
  return TierNames.find((tier) => config.placement[tier].includes(module));
}

export interface LinkRole {
  link: LinkName;
  /** This process sends on the link. */
  produces: boolean;
  /** This process handles the link's messages (runs its server). */
  consumes: boolean;
}

/** For every link this process touches: whether it sends on it, handles it, or both. */
export function linkRolesOfProcess(config: SentinelConfig): LinkRole[] {
  const running = new Set(modulesOfProcess(config));
  return LinkNames.map((link) => ({
    link,
    produces: LinkEnds[link].producers.some((m) => running.has(m)),
    consumes: running.has(LinkEnds[link].consumer),
  })).filter((role) => role.produces || role.consumes);
}

/** Placement mistakes class-validator cannot see: each as `key: problem`. */
export function placementErrors(config: SentinelConfig): string[] {
  const errors: string[] = [];
  const placed = new Map<ModuleName, TierName>();
  for (const tier of TierNames) {
    for (const module of config.placement[tier] ?? []) {
      const other = placed.get(module);
      if (other) errors.push(`placement.${tier}: module ${module} is already placed on tier ${other}`);
      else placed.set(module, tier);
    }
  }
  for (const link of LinkNames) {
    if (config.links[link].perCamera && config.links[link].transport !== 'redis-streams') {
      errors.push(`links.${link}.perCamera: needs transport redis-streams (one Redis stream per camera), not ${config.links[link].transport}`);
    }
    if (config.links[link].sources.length > 0 && config.links[link].transport !== 'redis-streams') {
      errors.push(`links.${link}.sources: needs transport redis-streams (a consumer reading each site's Redis), not ${config.links[link].transport}`);
    }
    const sites = config.links[link].sources.map((source) => source.site);
    if (new Set(sites).size !== sites.length) errors.push(`links.${link}.sources: each site may appear once`);
  }
  if (config.tier === 'all') return errors;
  const running = new Set(modulesOfProcess(config));
  for (const link of LinkNames) {
    if (config.links[link].transport !== 'inproc') continue;
    const { producers, consumer } = LinkEnds[link];
    const localProducer = producers.some((m) => running.has(m));
    const consumerHere = running.has(consumer);
    const remoteProducer = producers.some((m) => !running.has(m) && placed.has(m));
    if ((localProducer && !consumerHere && placed.has(consumer)) || (consumerHere && remoteProducer)) {
      errors.push(
        `links.${link}.transport: inproc cannot cross processes (tier ${config.tier} runs ${[...running].join(', ') || 'nothing'}; ` +
          `${consumer} runs on tier ${tierOfModule(config, consumer) ?? 'none'}): use tcp or redis`,
      );
    }
  }
  return errors;
}
