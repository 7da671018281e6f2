import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { synthesize } from '../../lib/pipeline/synth.ts';
import { bundleObjects, validateBundles } from '../../lib/pipeline/validate.ts';
import { bundlesForClusterApi, DEFAULT_CLUSTER_API_VERSION, type ClusterApiVersion } from './synth-v1beta2.ts';

export interface ValidateResult {
  readonly bundles: number;
  readonly objects: number;
}

/**
 * Builds every selected stack (construct validation: Cluster API's rules,
 * names, versions, addons) and checks every object against its CRD; writes
 * nothing. Throws one error listing every problem with its path.
 */
export function validateCommand(options: { definitions: readonly ClusterStackDefinition<StackVersionsRow>[]; filter?: (id: ClusterStackIdentity) => boolean; clusterApi?: ClusterApiVersion }): ValidateResult {
  const bundles = synthesize(options.definitions, options.filter ? { filter: options.filter } : {});
  const problems = validateBundles(bundles);
  if (problems.length > 0) throw new Error(`${problems.length} schema violation(s):\n  ${problems.join('\n  ')}`);
  const output = bundlesForClusterApi(options.clusterApi ?? DEFAULT_CLUSTER_API_VERSION, bundles);
  return { bundles: output.length, objects: output.reduce((n, b) => n + bundleObjects(b).length, 0) };
}
