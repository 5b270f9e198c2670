import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The project folder: the nearest ancestor holding package.json (this file also runs from dist/). */
function projectDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** `../shared` beside the project: real video, faces and models for tests and benchmarks. */
export const SHARED_DIR = resolve(process.env.EDGE_SHARED_DIR ?? join(projectDir(), '..', 'shared'));

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

export function hasSharedData(): boolean {
  return existsSync(sharedPath('data', 'vtest.avi')) && existsSync(sharedPath('models'));
}

const isCi = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/**
 * `describe` for suites that need ../shared. Without it they skip and say why; under CI=true a
 * missing ../shared is a failure, not a skip.
 */
export function describeWithSharedData(name: string, body: () => void): void {
  if (hasSharedData()) {
    describe(name, body);
    return;
  }
  if (isCi()) {
    describe(name, () => {
      it('needs ../shared (real video, faces and models)', () => {
        throw new Error(`CI=true but ${SHARED_DIR} is missing: real data is required in CI`);
      });
    });
    return;
  }
  console.warn(`[skip] ${name}: ${SHARED_DIR} not found (real video/models); set EDGE_SHARED_DIR to run it`);
  // The body is not run: suites may read ../shared files while they are collected.
  describe(name, () => it.skip(`needs ${SHARED_DIR}`, () => undefined));
}

export { isCi };
