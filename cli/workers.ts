/**
 * The worker threads of a large synth or release, compiled into one
 * CommonJS bundle with the CLI's own stacks (.build/workers.cjs, which
 * scripts/build.mjs writes and bin/worker.cjs runs with V8's code cache).
 *
 * Why: a worker loading the ES module workers (cli/commands/*-worker.ts)
 * spent most of its start resolving, reading and compiling chunks: in a
 * 500-bundle release its first bundle began 170 ms after the worker did,
 * from this bundle and its code cache 96 ms (CPU profiles). A worker
 * takes this way only for the definitions the CLI itself loads
 * (STACKS_MODULE, bundled here): any other definitions module is imported
 * by the ES module workers, whose constructs and cdk8s are the module's own.
 */
import { workerData } from 'node:worker_threads';
import { CrdSchemaRegistry } from '../lib/pipeline/crd-schema.ts';
import { synthesize } from '../lib/pipeline/synth.ts';
import { validateBundles } from '../lib/pipeline/validate.ts';
import { planRelease } from '../lib/release/release.ts';
import { bundleHashes } from '../lib/release/content-hash.ts';
import { plainPlan } from './commands/release-parallel.ts';
import { runReleaseWorker } from './commands/release-worker-run.ts';
import { bundlesForClusterApi, DEFAULT_CLUSTER_API_VERSION } from './commands/synth-v1beta2.ts';
import { runSynthWorker } from './commands/synth-worker-run.ts';
import { loadStacks } from './stacks.ts';

/** Which worker a thread runs, in its workerData (cli/commands/worker-entry.ts). */
export type WorkerKind = 'synth' | 'release';

/** Runs the worker workerData.kind names, with the bundled stacks. */
export async function run(): Promise<void> {
  const kind = (workerData as { kind?: WorkerKind } | null)?.kind;
  if (kind === 'synth') await runSynthWorker(() => loadStacks());
  else if (kind === 'release') await runReleaseWorker(() => loadStacks());
  else throw new Error(`cluster-stacks worker: unknown kind ${String(kind)}`);
}

/**
 * What scripts/build.mjs runs once, in its own process, before saving this
 * bundle's code cache: a worker's work on the shipped stacks (synthesis,
 * validation, rendering, a hash-mode release plan), which writes nothing.
 */
export async function train(root: string): Promise<void> {
  const stacks = await loadStacks();
  const registry = CrdSchemaRegistry.load();
  const bundles = synthesize(stacks);
  validateBundles(bundles, registry);
  bundles.forEach((b) => bundleHashes(b));
  bundlesForClusterApi(DEFAULT_CLUSTER_API_VERSION, bundles);
  plainPlan(await planRelease({ root, definitions: stacks, mode: { kind: 'hash' }, registry, compression: 'calling-thread' }));
}
