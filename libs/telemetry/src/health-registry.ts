import { Injectable } from '@nestjs/common';

export interface ComponentHealth {
  /** up: working; down: not working (readiness fails). */
  status: 'up' | 'down';
  [detail: string]: unknown;
}

/**
 * Modules and links register a probe here; `/health` reports every registered component and is
 * ready only when all are up.
 */
@Injectable()
export class HealthRegistry {
  private readonly probes = new Map<string, () => ComponentHealth | Promise<ComponentHealth>>();

  register(name: string, probe: () => ComponentHealth | Promise<ComponentHealth>): void {
    this.probes.set(name, probe);
  }

  names(): string[] {
    return [...this.probes.keys()];
  }

  async check(name: string): Promise<ComponentHealth> {
    const probe = this.probes.get(name);
    if (!probe) return { status: 'down', reason: 'not registered' };
    try {
      return await probe();
    } catch (error) {
      return { status: 'down', reason: (error as Error).message };
    }
  }
}
