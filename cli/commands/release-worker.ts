/**
 * A release worker as an ES module (cli/commands/release-parallel.ts): for a
 * definitions module other than the CLI's own, which it imports.
 */
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { runReleaseWorker } from './release-worker-run.ts';

await runReleaseWorker(async (module) => ((await import(module)) as { STACKS: readonly ClusterStackDefinition<StackVersionsRow>[] }).STACKS);
