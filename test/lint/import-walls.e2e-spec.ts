import { execFile } from 'node:child_process';
import { PROJECT_DIR } from '@sentinel/testing';

interface LintCase {
  /** An existing file of the project: the snippet is linted as if it were that file's text. */
  file: string;
  code: string;
}
interface LintVerdict {
  file: string;
  code: string;
  restricted: string[];
  fatal: string[];
}

/**
 * Lints snippets with the project's own eslint.config.mjs through ESLint's Node API (`lintText`). It
 * runs in a plain `node` child: ESLint loads its config with `import()`, which Jest's module runtime
 * refuses without --experimental-vm-modules.
 */
function lintSnippets(cases: readonly LintCase[]): Promise<LintVerdict[]> {
  const script = `
    const { ESLint } = require('eslint');
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const c of JSON.parse(process.argv[1])) {
        const [result] = await eslint.lintText(c.code, { filePath: c.file });
        out.push({
          ...c,
          restricted: result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message),
          fatal: result.messages.filter((m) => m.fatal).map((m) => m.message),
        });
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((error) => { console.error(error); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: PROJECT_DIR, maxBuffer: 8 << 20, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`eslint child failed: ${stderr || error.message}`));
      resolve(JSON.parse(stdout) as LintVerdict[]);
    });
  });
}

const bad: (LintCase & { wall: RegExp })[] = [
  { file: 'libs/detection/src/index.ts', code: "import { CameraRunner } from '@sentinel/frame-change';\nexport { CameraRunner };\n", wall: /Tier libraries do not import each other/ },
  { file: 'libs/notification/src/index.ts', code: "import { freePort } from '@sentinel/testing';\nexport { freePort };\n", wall: /never imports test or evaluation tooling/ },
  { file: 'apps/sentinel/src/index.ts', code: "import { readVideoFrames } from '@sentinel/evaluation';\nexport { readVideoFrames };\n", wall: /never imports test or evaluation tooling/ },
  { file: 'libs/config/src/index.ts', code: "import { runMain } from '@sentinel/app';\nexport { runMain };\n", wall: /Libraries do not import the app/ },
  { file: 'test/fog/support.ts', code: "import { iou } from '@sentinel/detection/geometry/box';\nexport { iou };\n", wall: /by its index/ },
  { file: 'test/fog/support.ts', code: "import { RgbImage } from '../../libs/detection/src/image/decode-image';\nexport type { RgbImage };\n", wall: /relative path into another package/ },
  { file: 'libs/face-recognition/src/index.ts', code: "import { FogService } from '../../detection/src/fog.service';\nexport { FogService };\n", wall: /relative path into another library/ },
];

const allowed: LintCase[] = [
  // A tier lib's own internals and the common libs.
  { file: 'libs/detection/src/index.ts', code: "import { iou } from '@sentinel/contracts';\nimport { expandBox } from './geometry/box';\nexport { iou, expandBox };\n" },
  // Specs are tests: they may use the test library.
  { file: 'libs/transport/src/reply.spec.ts', code: "import { freePort } from '@sentinel/testing';\nexport { freePort };\n" },
  // The tooling itself drives the product.
  { file: 'libs/evaluation/src/index.ts', code: "import { resolveFfmpegPath } from '@sentinel/frame-change';\nexport { resolveFfmpegPath };\n" },
  { file: 'test/fog/support.ts', code: "import { RgbImage } from '@sentinel/detection';\nimport { readVideoFrames } from '@sentinel/evaluation';\nexport type { RgbImage };\nexport { readVideoFrames };\n" },
];

describe('lint walls (eslint.config.mjs no-restricted-imports)', () => {
  let verdicts: LintVerdict[];

  beforeAll(async () => {
    verdicts = await lintSnippets([...bad, ...allowed]);
  }, 150_000);

  it.each(bad.map((c, i) => [i, c.file, c.code.split('\n')[0]] as const))('rejects case %i in %s: %s', (i) => {
    const verdict = verdicts[i];
    expect(verdict.fatal).toEqual([]);
    expect(verdict.restricted.length).toBeGreaterThan(0);
    expect(verdict.restricted.join('\n')).toMatch(bad[i].wall);
  });

  it('accepts imports through indexes, tests using the test library and the tooling driving the product', () => {
    const accepted = verdicts.slice(bad.length);
    expect(accepted.map((v) => ({ file: v.file, fatal: v.fatal, restricted: v.restricted }))).toEqual(allowed.map((c) => ({ file: c.file, fatal: [], restricted: [] })));
  });
});
