import { ConsoleLogger } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/**
 * A start-up problem the operator fixes (a file to provide, a folder to create): printed as one tidy
 * list and exit code 2, like a configuration error, never as a stack trace.
 */
export class BootError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BootError';
  }
}

/** Error names of boot failures raised by modules (checked by name: the app does not load their code eagerly). */
const MODULE_BOOT_ERRORS = new Set(['ModelBootError']);

/** The tidy form of a start-up failure, or undefined for a real bug (which keeps its stack trace). */
export function asBootError(error: unknown): BootError | undefined {
  if (error instanceof BootError) return error;
  if (error instanceof Error && MODULE_BOOT_ERRORS.has(error.name)) return new BootError([error.message]);
  return undefined;
}

/**
 * The data folder: a relative one is created (it lives in the working copy); an absolute one must exist,
 * so a service never silently creates system folders such as /var/lib/... owned by whoever ran it first.
 */
export function prepareDataDir(dataDir: string): string {
  if (!isAbsolute(dataDir)) {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  if (!existsSync(dataDir)) {
    throw new BootError([`dataDir ${dataDir} does not exist: create it for the user that runs the service (e.g. install -d -m 0750 ${dataDir}) or set a relative dataDir`]);
  }
  if (!statSync(dataDir).isDirectory()) throw new BootError([`dataDir ${dataDir} is not a folder`]);
  return dataDir;
}

/** A PEM file named in the configuration, read once at boot. */
export function readPemFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new BootError([`${key} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
}

/**
 * Nest's logger, minus the stack trace Nest prints for a boot error before rethrowing it (run.ts
 * prints those as a tidy list); every other message, and every other error, is logged as usual.
 */
export class BootAwareLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (rest.includes('ExceptionHandler') && asBootError(message)) return;
    super.error(message, ...(rest as [string?, string?]));
  }
}
