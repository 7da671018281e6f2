import { defineConfig } from 'vitest/config';

/**
 * The bundles on a real Cluster API management cluster: `npm run test:mgmt`,
 * which starts the cluster with scripts/mgmt-cluster.sh (inside a private
 * network namespace) and runs this config inside the same namespace. The
 * global setup only reads what the script started (MGMT_READY).
 */
export default defineConfig({
  test: {
    include: ['test/mgmt/**/*.mgmt.test.ts'],
    globalSetup: ['test/run-temp.ts', 'test/mgmt/support/global-setup.ts'],
    // Controllers reconcile within seconds, but a busy 2-core machine stretches that.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One management cluster is shared and every test works in namespaces of
    // its own, so all files and all tests run at once: the suite's time is
    // then that of its longest test (controllers and webhooks mostly wait on
    // each other), not the sum. Each worker is a Node process; four files, four workers.
    maxWorkers: 4,
    sequence: { concurrent: true },
    maxConcurrency: 64,
  },
});
