// Three tiers, one jest project each (see README "Tests"): unit (no I/O), int (real PostgreSQL),
// e2e (the HTTP API over real PostgreSQL). ESM throughout: run with --experimental-vm-modules.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@tthc/(domain|event-store|application|read-models|platform)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

const projects = [
  { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench}/**/*.unit.spec.ts'] },
  { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs}/**/*.int.spec.ts'] },
  { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'] },
];

// `npm run test:unit|test:int|test:e2e -- [path pattern]` select a tier through TEST_TIER
// (jest's --selectProjects would swallow the path pattern that follows it).
const tier = process.env.TEST_TIER;

export default {
  // An api's first start (every e2e file) and the read-model harness set up the shipped units through
  // the command handlers (two atomic appends and a few reads: seconds on a loaded machine), so hooks get more than 5 s.
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // An e2e file starts the api (Nest, migrations, a database of its own) in its hooks: 5 s is too
  // tight for that on a loaded machine (jest reads testTimeout from the global config only).
  testTimeout: 20_000,
  projects: tier ? projects.filter((p) => p.displayName === tier) : projects,
};
