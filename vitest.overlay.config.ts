import { defineConfig } from 'vitest/config';

/**
 * `npm run test:overlay`: examples/provider-overlay built against the
 * `npm pack` output of this project, the way a provider consumes the base
 * (synth, conformance, type checks, a base fix giving new versions). Kept
 * out of `npm test`: it packs the project and type-checks the package
 * (about 20 s here, warm).
 */
export default defineConfig({
  test: {
    // One temp folder per run, removed at its end (test/run-temp.ts).
    globalSetup: ['test/run-temp.ts'],
    include: ['test/overlay-example/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 300_000,
  },
});
