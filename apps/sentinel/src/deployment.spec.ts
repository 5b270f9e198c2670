import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { linkRolesOfProcess } from '@sentinel/config';
import { configFromArgv } from './config-from-argv';

const PROJECT = join(__dirname, '..', '..', '..');

interface ComposeService {
  environment?: Record<string, string>;
  command?: string[];
}

/** docker-compose.yml cannot run here (no Docker engine); this checks what it would start. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(PROJECT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
  const tiers = Object.entries(compose.services).filter(([, service]) => service.environment?.TIER);
  const configs = tiers.map(([name, service]) => {
    const argv = [`--tier=${service.environment!.TIER}`, ...(service.command ?? [])];
    return { name, config: configFromArgv(argv, {})! };
  });

  it('runs roof, fog and cloud, each with a valid configuration', () => {
    expect(configs.map((c) => c.config.tier).sort()).toEqual(['cloud', 'fog', 'roof']);
  });

  it('gives both ends of every link the same transport and address', () => {
    const ends = new Map<string, string[]>();
    for (const { name, config } of configs) {
      for (const { link } of linkRolesOfProcess(config)) {
        const { transport, url, host, port } = config.links[link];
        ends.set(link, [...(ends.get(link) ?? []), `${transport} ${url ?? `${host}:${port}`} (${name})`.replace(/ \(.*\)$/, '')]);
      }
    }
    expect(ends.size).toBe(3);
    for (const [link, addresses] of ends) {
      expect({ link, addresses: [...new Set(addresses)] }).toEqual({ link, addresses: ['redis redis://redis:6379'] });
    }
  });
});
