import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---- Walls between packages (docs/architecture.md). ESLint's `no-restricted-imports` is set once per
// file: a later block replaces an earlier one, so each block below lists every wall that applies to it.

/** The tier libraries: each is one tier's product code and shares only through the common libs. */
const TIERS = ['frame-change', 'detection', 'face-recognition', 'notification'];
/** Libraries that are not product code: tests, benches and scripts use them, the product never does. */
const TOOLING = ['@sentinel/testing', '@sentinel/evaluation', '@sentinel/report'];

const INDEX_ONLY = [
  { group: ['@sentinel/*/**'], message: 'Import a library by its index (@sentinel/<lib>); export what is needed there.' },
  { regex: '^(\\.\\./)+([^./][^/]*/)*(libs|apps|test)(/|$)', message: 'No relative path into another package: import @sentinel/<lib>.' },
  { regex: '^(\\.\\./)+[\\w-]+/src(/|$)', message: 'No relative path into another library: import @sentinel/<lib>.' },
];
const NO_TOOLING = [{ group: TOOLING, message: 'Product code never imports test or evaluation tooling.' }];
const NO_APP = [{ group: ['@sentinel/app'], message: 'Libraries do not import the app: the app wires the libraries.' }];
const noOtherTier = (tier) => [
  {
    group: TIERS.filter((other) => other !== tier).map((other) => `@sentinel/${other}`),
    message: 'Tier libraries do not import each other: share through @sentinel/contracts, config, transport, telemetry or human.',
  },
];
const walls = (files, patterns, ignores = []) => ({ files, ignores, rules: { 'no-restricted-imports': ['error', { patterns }] } });
const SPECS = '**/*.spec.ts';
const NON_PRODUCT_LIBS = ['libs/evaluation/**', 'libs/report/**'];

const importWalls = [
  walls(['**/*.ts'], INDEX_ONLY),
  walls(['apps/**/*.ts'], [...INDEX_ONLY, ...NO_TOOLING], [SPECS]),
  walls(['libs/**/*.ts'], [...INDEX_ONLY, ...NO_APP]),
  walls(['libs/**/*.ts'], [...INDEX_ONLY, ...NO_APP, ...NO_TOOLING], [SPECS, ...NON_PRODUCT_LIBS]),
  ...TIERS.flatMap((tier) => [
    walls([`libs/${tier}/**/*.ts`], [...INDEX_ONLY, ...NO_APP, ...noOtherTier(tier)]),
    walls([`libs/${tier}/**/*.ts`], [...INDEX_ONLY, ...NO_APP, ...NO_TOOLING, ...noOtherTier(tier)], [SPECS]),
  ]),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'var/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['bench/**/*.ts', 'scripts/**/*.ts', 'apps/**/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  ...importWalls,
);
