import { defineConfig } from 'vitest/config';

/**
 * `npm run test:registry`: the OCI publish/list/pull tests against real
 * registries (Debian's docker-registry, htpasswd from apache2-utils, openssl)
 * on 127.0.0.1. The global setup fails the run when a tool is missing, naming
 * the apt packages. Under the plain `vitest run` these files skip their
 * registry tests (CLUSTER_STACKS_REGISTRY_SUITE is unset there).
 */
export default defineConfig({
  test: {
    include: ['test/lib/registry/**/*.test.ts'],
    globalSetup: ['test/run-temp.ts', 'test/lib/registry/harness/global-setup.ts'],
    env: { CLUSTER_STACKS_REGISTRY_SUITE: '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
