/**
 * The body of a release worker (cli/commands/release-parallel.ts), whichever
 * way it was loaded (cli/commands/release-worker.ts, the ES module, or
 * cli/workers.ts, the compiled bundle): loads the definitions, then claims
 * batches of stacks until none is left and plans the release of each
 * (versions decided, bundles synthesized and validated, release files
 * rendered, upgrade paths checked); writes the release folders into the
 * staging folder when asked to, and posts the plans as plain data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CrdSchemaRegistry } from '../../lib/pipeline/crd-schema.ts';
import { planRelease } from '../../lib/release/release.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { plainPlan, planClaimedBatches, stackOf, StackClaims, type PlainPlan, type ReleaseWorkerReply, type ReleaseWorkerRequest } from './release-parallel.ts';
import type { DefinitionsLoader } from './synth-worker-run.ts';

export async function runReleaseWorker(loadDefinitions: DefinitionsLoader): Promise<void> {
  const { request, claims, index } = workerData as { request: ReleaseWorkerRequest; claims: Int32Array; index: number };
  let reply: ReleaseWorkerReply;
  try {
    const STACKS = await loadDefinitions(request.definitionsModule);
    const known = new Set(STACKS.map(stackOf));
    const missing = request.stacks.filter((s) => !known.has(s));
    if (missing.length > 0) throw new Error(`${request.definitionsModule} does not define ${missing.join(', ')}`);
    // Loaded once for every batch.
    let registry: CrdSchemaRegistry | undefined;
    const plan = async (batch: readonly ClusterStackDefinition<StackVersionsRow>[]): Promise<PlainPlan> =>
      plainPlan(await planRelease({
        root: request.root,
        definitions: batch,
        mode: { kind: request.mode },
        registry: (registry ??= CrdSchemaRegistry.load()),
        ...(request.allowBreaking !== undefined ? { allowBreaking: request.allowBreaking } : {}),
        // Every core runs a thread of this release (lib/bytes/tgz.ts Compression).
        compression: 'calling-thread',
      }));
    reply = { plan: await planClaimedBatches(new StackClaims(claims, request.stacks, index), STACKS, plan, request.staged) };
  } catch (e) {
    reply = { error: (e as Error).message };
  }
  parentPort?.postMessage(reply);
}
