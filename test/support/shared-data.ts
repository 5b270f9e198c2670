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
 * `describe` that runs `body` when what it needs is there. Otherwise the suite skips and says why,
 * and under CI=true a missing need is a failure, not a skip. `need` names it (e.g. "REDIS at ...").
 */
export function describeWhen(ready: boolean, name: string, need: string, why: string, body: () => void): void {
  if (ready) {
    describe(name, body);
    return;
  }
  if (isCi()) {
    describe(name, () => {
      it(`needs ${need}`, () => {
        throw new Error(`CI=true but ${why}`);
      });
    });
    return;
  }
  console.warn(`[skip] ${name}: ${why}`);
  // The body is not run: suites may read what they need while they are collected.
  describe(name, () => it.skip(`needs ${need}`, () => undefined));
}

/** `describe` for suites that need ../shared (real video, faces and models). */
export function describeWithSharedData(name: string, body: () => void): void {
  describeWhen(hasSharedData(), name, '../shared (real video, faces and models)', `${SHARED_DIR} not found (real video/models); set EDGE_SHARED_DIR to run it`, body);
}

export { isCi };
