/**
 * The body of a synthesis worker (cli/commands/synth-parallel.ts), whichever
 * way it was loaded (cli/commands/synth-worker.ts, the ES module, or
 * cli/workers.ts, the compiled bundle): loads the definitions, then claims
 * batches of bundles until none is left, synthesizing, validating and
 * rendering each batch; posts the files and hashes, then raises its flag.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { StackVersion } from '../../constructs/stack-version.ts';
import { CrdSchemaRegistry } from '../../lib/pipeline/crd-schema.ts';
import { synthesize } from '../../lib/pipeline/synth.ts';
import { validateBundles } from '../../lib/pipeline/validate.ts';
import { bundleHashes } from '../../lib/release/content-hash.ts';
import { BundleClaims, stageBundle, type ProducedBundle, type WorkerReply, type WorkerRequest } from './synth-parallel.ts';
import { bundlesForClusterApi } from './synth-v1beta2.ts';

/** The STACKS of a definitions module (WorkerRequest.definitionsModule). */
export type DefinitionsLoader = (module: string) => Promise<readonly ClusterStackDefinition<StackVersionsRow>[]>;

/** The ES module workers' loader: imports the module. */
export const importDefinitions: DefinitionsLoader = async (module) => ((await import(module)) as { STACKS: readonly ClusterStackDefinition<StackVersionsRow>[] }).STACKS;

export async function runSynthWorker(loadDefinitions: DefinitionsLoader): Promise<void> {
  const { request, port, done, claims, index } = workerData as { request: WorkerRequest; port: MessagePort; done: Int32Array; claims: Int32Array; index: number };

  let reply: WorkerReply;
  try {
    const STACKS = await loadDefinitions(request.definitionsModule);
    const pathOf = (id: { provider: string; stack: string; kubernetes: { minorSlug: string } }) => `${id.provider}/${id.stack}/${id.kubernetes.minorSlug}`;
    const versionsOf = new Map(request.bundles.map((b) => [b.path, b]));
    const mine = new BundleClaims(claims, request.bundles.map((b) => b.path), index);
    const produced: ProducedBundle[] = [];
    const problems: string[] = [];
    let registry: CrdSchemaRegistry | undefined;
    const staged = request.staged;
    for (;;) {
      const claimed = mine.claimBatch();
      const bundles = synthesize(STACKS, {
        filter: (id) => claimed(pathOf(id)),
        versionsFor: (id) => {
          const v = versionsOf.get(pathOf(id)) as WorkerRequest['bundles'][number];
          return { clusterStack: StackVersion.parse(v.clusterStack), clusterAddon: StackVersion.parse(v.clusterAddon), nodeImage: StackVersion.parse(v.nodeImage) };
        },
      });
      if (bundles.length === 0) break;
      const batchProblems = validateBundles(bundles, (registry ??= CrdSchemaRegistry.load()));
      problems.push(...batchProblems);
      const hashes = bundles.map((b) => bundleHashes(b));
      const output = batchProblems.length > 0 ? [] : bundlesForClusterApi(request.clusterApi, bundles);
      produced.push(
        ...output.map((b, i) => ({
          path: b.path,
          files: staged ? [] : b.files.map((f) => ({ path: f.path, content: f.content })),
          hashes: hashes[i] as ProducedBundle['hashes'],
          ...(staged ? { stamps: stageBundle(staged, b) } : {}),
        })),
      );
    }
    reply = { bundles: produced, problems };
  } catch (e) {
    reply = { error: (e as Error).message };
  }
  port.postMessage(reply);
  Atomics.store(done, index, 1);
  Atomics.notify(done, index);
}
