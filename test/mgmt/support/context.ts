import { inject } from 'vitest';
import type { ManagementClusterInfo } from './management-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mgmt: ManagementClusterInfo | undefined;
  }
}

/** Whether this run has a management cluster; without one the suites skip themselves. */
export const mgmtEnabled: boolean = inject('mgmt') !== undefined;

export function mgmt(): ManagementClusterInfo {
  const info = inject('mgmt');
  if (!info) throw new Error('the management cluster is missing: run these tests with `npm run test:mgmt`');
  return info;
}
