import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder of the built dashboard (`dist/web` of the project, written by `npm run build`). Found
 * from the project folder so that it is the same from `dist/` and from the sources under Jest.
 */
export function dashboardRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'web');
}
