import { inject } from 'vitest';
import type { E2eContext } from './types.ts';

export type { E2eContext, E2eTools, ReleaseInfo, ReleaseSet } from './types.ts';
export { helmEnv } from './types.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext | undefined;
  }
}

/**
 * Whether this run has the e2e setup. Without it (a plain `vitest` run that
 * picks the files up) the e2e suites skip themselves, so they never need Go
 * or the tools there.
 */
export const e2eEnabled: boolean = inject('e2e') !== undefined;

export function e2e(): E2eContext {
  const ctx = inject('e2e');
  if (!ctx) throw new Error('the e2e context is missing: run the e2e tests with `npm run test:e2e` (vitest --config vitest.e2e.config.ts)');
  return ctx;
}

