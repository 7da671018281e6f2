import { existsSync, readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import type { ManagementClusterInfo } from './management-cluster.ts';

/**
 * The management cluster is started by scripts/mgmt-cluster.sh, which runs
 * vitest inside the cluster's network namespace and tears the cluster down
 * afterwards whatever happens; here its ready.json (MGMT_READY) is read and
 * handed to the tests.
 */
export default function setup(project: TestProject): void {
  const ready = process.env.MGMT_READY;
  if (!ready || !existsSync(ready)) {
    throw new Error('no management cluster: run these tests with `npm run test:mgmt` (scripts/mgmt-cluster.sh run -- vitest run --config vitest.mgmt.config.ts)');
  }
  const info = JSON.parse(readFileSync(ready, 'utf8')) as ManagementClusterInfo;
  console.error(`mgmt: cluster up (${info.phases.map((p) => `${p.name} ${p.seconds.toFixed(1)} s`).join(', ')})`);
  project.provide('mgmt', info);
}
