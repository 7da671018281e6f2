import { resolve } from 'node:path';
import type { CrdSchemaRegistry } from '../../lib/pipeline/crd-schema.ts';
import type { Bundle } from '../../lib/pipeline/synth.ts';
import { checkV1Beta2Bundles } from '../../lib/v1beta2/check.ts';
import { toV1Beta2 } from '../../lib/v1beta2/convert.ts';

/** The Cluster API version of the ClusterClass and its templates in the output. */
export const CLUSTER_API_VERSIONS = ['v1beta1', 'v1beta2'] as const;
export type ClusterApiVersion = (typeof CLUSTER_API_VERSIONS)[number];

/** v1beta1 stays the default: it is what dist/ holds and what releases ship. */
export const DEFAULT_CLUSTER_API_VERSION: ClusterApiVersion = 'v1beta1';

export function parseClusterApiVersion(value: string): ClusterApiVersion {
  const found = CLUSTER_API_VERSIONS.find((v) => v === value);
  if (!found) throw new Error(`'--cluster-api' must be one of ${CLUSTER_API_VERSIONS.join(', ')}, got '${value}'`);
  return found;
}

/**
 * The bundles in the requested Cluster API version. v1beta1 returns them as
 * synthesized; v1beta2 converts each (lib/v1beta2/convert.ts) and checks the
 * result against the v1beta2 CRDs, Cluster API's webhook rules and the patch
 * pointers (lib/v1beta2/check.ts), throwing one error that lists every
 * problem. Pure apart from reading the CRDs.
 */
export function bundlesForClusterApi(version: ClusterApiVersion, bundles: readonly Bundle[], registry?: CrdSchemaRegistry): Bundle[] {
  if (version === 'v1beta1') return [...bundles];
  const converted = bundles.map(toV1Beta2);
  const problems = registry ? checkV1Beta2Bundles(converted, registry) : checkV1Beta2Bundles(converted);
  if (problems.length > 0) throw new Error(`${problems.length} problem(s) in the v1beta2 output:\n  ${problems.join('\n  ')}`);
  return converted;
}

/**
 * dist/ is the committed v1beta1 golden output (test/dist.test.ts compares it
 * byte for byte), so v1beta2 output must go elsewhere.
 */
export function assertOutputDirFor(version: ClusterApiVersion, outDir: string, committedDist: string): void {
  if (version !== 'v1beta1' && resolve(outDir) === resolve(committedDist)) {
    throw new Error(`'--cluster-api ${version}' would overwrite ${committedDist}, which holds the committed v1beta1 output; choose another folder with --output-dir`);
  }
}
