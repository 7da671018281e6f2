import { entryModuleUrl } from '../lib/pipeline/project-root.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../constructs/stack-definition.ts';

/**
 * The registered stacks (stacks/index.ts), imported when a command runs:
 * importing them loads cdk8s and every stack's construct code, which
 * `--help` does not need.
 */
export async function loadStacks(): Promise<readonly ClusterStackDefinition<StackVersionsRow>[]> {
  return (await import('../stacks/index.ts')).STACKS;
}

/** URL of the module loadStacks imports, for worker threads that load the same definitions. */
export const STACKS_MODULE = entryModuleUrl('stacks/index').href;
