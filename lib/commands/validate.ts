import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { synthesize } from '../synth.ts';
import { bundleObjects, validateBundles } from '../validate.ts';

export interface ValidateResult {
  readonly bundles: number;
  readonly objects: number;
}

/**
 * Builds every selected stack (construct validation: Cluster API's rules,
 * names, versions, addons) and checks every object against its CRD; writes
 * nothing. Throws one error listing every problem with its path.
 */
export function validateCommand(options: { definitions: readonly ClusterStackDefinition<StackVersionsRow>[]; filter?: (id: ClusterStackIdentity) => boolean }): ValidateResult {
  const bundles = synthesize(options.definitions, options.filter ? { filter: options.filter } : {});
  const problems = validateBundles(bundles);
  if (problems.length > 0) throw new Error(`${problems.length} schema violation(s):\n  ${problems.join('\n  ')}`);
  return { bundles: bundles.length, objects: bundles.reduce((n, b) => n + bundleObjects(b).length, 0) };
}
