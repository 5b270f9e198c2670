/** Unit specs live beside the code (*.spec.ts); end-to-end tests in test/ (*.e2e-spec.ts). */
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
}];
const moduleNameMapper = {
  '^@sentinel/testing$': '<rootDir>/test/support',
  '^@sentinel/app$': '<rootDir>/apps/sentinel/src',
  '^@sentinel/(.*)$': '<rootDir>/libs/$1/src',
};
const common = { setupFiles: ['reflect-metadata'], transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: '<rootDir>/test/support/jest-environment.js', rootDir: __dirname };
module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
