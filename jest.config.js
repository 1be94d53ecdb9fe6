// Three tiers, by what a spec needs: test/unit (pure code, run in parallel), test/db (SQL on PGlite
// or Postgres) and test/e2e (HTTP through the official clients). Specs are transpiled by swc
// without type-checking; `npm run typecheck` checks the types.
const swc = [
  '@swc/jest',
  {
    sourceMaps: 'inline',
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      // Nest reads constructor parameter types from the decorator metadata tsc would emit.
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
      keepClassNames: true,
    },
    // import() stays an import, as tsc's node16 output keeps it: hyparquet is an ES module, which a require() cannot load.
    module: { type: 'commonjs', ignoreDynamic: true },
  },
];

const tier = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  testMatch: [`<rootDir>/test/${name}/**/*.spec.ts`],
  transform: { '^.+\\.ts$': swc },
  ...extra,
});

// The database tiers open every embedded database from one migrated dump (test/support/embedded-seed.ts).
const seeded = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  // `live` (a real Ollama) is opt-in: `npm test` selects the other three.
  projects: [tier('unit'), tier('db', seeded), tier('e2e', seeded), tier('live', seeded)],
  // A bound on a hang, not a speed check: a test must pass on a busy machine too.
  testTimeout: 180_000,
};
