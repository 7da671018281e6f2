import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Synthesis of the whole matrix and schema compilation take seconds on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
