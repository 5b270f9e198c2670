import { Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { AlertMessage, FrameMessage, Patterns, validateContract } from '@sentinel/contracts';
import { SentinelConfigModule, validateConfig } from '@sentinel/config';
import { FrameChangeModule, FrameChangeService } from '@sentinel/frame-change';
import { TelemetryModule } from '@sentinel/telemetry';
import { EmitOptions, EmitOutcome, LinkEmitter } from '@sentinel/transport';

/** Records what the roof emits, after checking each message against its contract. */
export class RecordingLinks extends LinkEmitter {
  readonly frames: FrameMessage[] = [];
  readonly alerts: AlertMessage[] = [];
  readonly invalid: string[] = [];
  /** whenFull of each frame message. */
  readonly whenFull: string[] = [];

  async emit(pattern: string, message: object, options?: EmitOptions): Promise<EmitOutcome> {
    const checked = validateContract(pattern, message);
    if (!checked.ok) {
      this.invalid.push(`${pattern}: ${checked.errors.join('; ')}`);
      return 'failed';
    }
    if (pattern === Patterns.FrameChanged) {
      this.whenFull.push(options?.whenFull ?? 'unset');
      this.frames.push(message as FrameMessage);
    }
    if (pattern === Patterns.Alert) this.alerts.push(message as AlertMessage);
    return 'delivered';
  }
}

export interface RunningRoof<L extends LinkEmitter = RecordingLinks> {
  module: TestingModule;
  roof: FrameChangeService;
  links: L;
  close(): Promise<void>;
}

/** Boots FrameChangeModule as the app would (config, telemetry, a LinkEmitter) and starts its cameras. */
export async function startRoof<L extends LinkEmitter = RecordingLinks>(roofConfig: Record<string, unknown>, links: L = new RecordingLinks() as unknown as L): Promise<RunningRoof<L>> {
  const config = validateConfig({ roof: roofConfig });
  @Global()
  @Module({ providers: [{ provide: LinkEmitter, useValue: links }], exports: [LinkEmitter] })
  class TestLinksModule {}
  const module = await Test.createTestingModule({
    imports: [SentinelConfigModule.forRoot(config), TelemetryModule, TestLinksModule, FrameChangeModule],
  }).compile();
  await module.init();
  return { module, roof: module.get(FrameChangeService), links, close: () => module.close() };
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes (then fails with `what`). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True while a process with this id exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
