import { ConfigError, SentinelConfig } from '@sentinel/config';
import { watchStopSignals } from '@sentinel/telemetry';
import { CliError } from './cli';
import { configFromArgv } from './config-from-argv';
import { asBootError } from './boot-error';
import { SentinelApp, SentinelAppOptions, createSentinelApp } from './bootstrap';

/** Exit code of a bad command line or configuration. */
export const EXIT_BAD_CONFIG = 2;

/** Runs the product from a command line: parse, validate (exit 2 when bad), start. */
export async function runSentinel(argv: readonly string[], options: SentinelAppOptions = {}): Promise<SentinelApp | undefined> {
  let config: SentinelConfig | undefined;
  try {
    config = configFromArgv(argv);
  } catch (error) {
    if (error instanceof CliError || error instanceof ConfigError) {
      console.error(`edge-sentinel: ${error.message}`);
      process.exit(EXIT_BAD_CONFIG);
    }
    throw error;
  }
  if (!config) return undefined;
  return createSentinelApp(config, options);
}

/**
 * Entry point wrapper: a boot problem the operator fixes (a model, a file, a folder) is printed like a
 * configuration error and exits 2; anything else is a bug, printed with its stack, exit 1.
 */
export function runMain(argv: readonly string[], options: SentinelAppOptions = {}): void {
  watchStopSignals();
  runSentinel(argv, options).catch((error: unknown) => {
    const boot = asBootError(error);
    if (boot) {
      console.error(`edge-sentinel: ${boot.message}`);
      process.exit(EXIT_BAD_CONFIG);
    }
    console.error(`edge-sentinel: failed to start: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}
