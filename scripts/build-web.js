// Bundles the dashboard (apps/web) into dist/web: index.html and styles at the root, the script
// under assets/. No CDN and no font download: the page uses the system font stack.
const { build } = require('esbuild');
const { cpSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'apps', 'web');
const target = join(root, 'dist', 'web');

async function main() {
  mkdirSync(join(target, 'assets'), { recursive: true });
  await build({
    entryPoints: [join(source, 'src', 'main.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    outfile: join(target, 'assets', 'app.js'),
    logLevel: 'warning',
  });
  cpSync(join(source, 'index.html'), join(target, 'index.html'));
  cpSync(join(source, 'styles.css'), join(target, 'assets', 'styles.css'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
