import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temp folder per run, removed at its end (test/run-temp.ts); one
    // build of .build/ before every file (test/global-build.ts).
    globalSetup: ['test/run-temp.ts', 'test/global-build.ts'],
    // The registry suite runs against real registries in `npm run test:registry`;
    // the e2e suite (real Helm, Cluster API, operator rules) in `npm run test:e2e`;
    // the management cluster suite in `npm run test:mgmt`; the provider overlay
    // example against the packed package in `npm run test:overlay`.
    exclude: ['test/lib/registry/**', 'test/e2e/**', 'test/mgmt/**', 'test/node-image/**', 'test/overlay-example/**', '**/node_modules/**'],
    // Synthesis of the whole matrix and schema compilation take seconds on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
