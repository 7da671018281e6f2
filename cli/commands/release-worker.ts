/**
 * One release worker (cli/commands/release-parallel.ts): loads the
 * definitions, plans the release of its stacks (versions decided,
 * bundles synthesized and validated, release files rendered, upgrade paths
 * checked) and posts the plan as plain data. It writes nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { planRelease } from '../../lib/release/release.ts';
import { plainPlan, stackOf, type ReleaseWorkerReply, type ReleaseWorkerRequest } from './release-parallel.ts';

const request = workerData as ReleaseWorkerRequest;
let reply: ReleaseWorkerReply;
try {
  const { STACKS } = (await import(request.definitionsModule)) as { STACKS: readonly ClusterStackDefinition<StackVersionsRow>[] };
  const mine = new Set(request.stacks);
  const definitions = STACKS.filter((d) => mine.has(stackOf(d)));
  const missing = request.stacks.filter((s) => !definitions.some((d) => stackOf(d) === s));
  if (missing.length > 0) throw new Error(`${request.definitionsModule} does not define ${missing.join(', ')}`);
  const plan = await planRelease({
    root: request.root,
    definitions,
    mode: { kind: request.mode },
    ...(request.allowBreaking !== undefined ? { allowBreaking: request.allowBreaking } : {}),
  });
  reply = { plan: plainPlan(plan) };
} catch (e) {
  reply = { error: (e as Error).message };
}
parentPort?.postMessage(reply);
