/**
 * A synthesis worker as an ES module (cli/commands/synth-parallel.ts): for a
 * definitions module other than the CLI's own, which it imports.
 */
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { runSynthWorker } from './synth-worker-run.ts';

await runSynthWorker(async (module) => ((await import(module)) as { STACKS: readonly ClusterStackDefinition<StackVersionsRow>[] }).STACKS);
