import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests with the real consumers (helm, clusterctl, the Cluster
 * Stack Operator's rules, kube-apiserver's CRD validation): `npm run test:e2e`.
 * The global setup builds the tools (scripts/e2e-tools.sh, cached in
 * .cache/tools/) and writes the release folders into a scratch folder.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/run-temp.ts', 'test/e2e/support/global-setup.ts'],
    // Cold tool builds take minutes (the global setup); single tests run many tool invocations.
    testTimeout: 300_000,
    hookTimeout: 900_000,
    // Two cores: two test files at a time.
    maxWorkers: 2,
  },
});
