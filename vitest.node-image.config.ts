import { defineConfig } from 'vitest/config';

/**
 * `npm run test:node-image`: Packer validates the node image build
 * instructions of every bundle against a kubernetes-sigs/image-builder
 * checkout named by IMAGE_BUILDER_DIR (the test fails without one; it never
 * skips). `npm run test:all` runs it when IMAGE_BUILDER_DIR is set.
 */
export default defineConfig({
  test: {
    // One temp folder per run, removed at its end (test/run-temp.ts).
    globalSetup: ['test/run-temp.ts'],
    include: ['test/node-image/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
