import { Worker } from 'node:worker_threads';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import type { TreeFile } from '../../lib/bytes/atomic-write.ts';
import { entryModuleUrl } from '../../lib/pipeline/project-root.ts';
import type { ReleasePlan } from '../../lib/release/release.ts';
import { formatFindings, pathLabel } from '../../lib/release/upgrade-check.ts';
import { canSynthesizeInParallel, synthesisThreads } from './synth-parallel.ts';

/** What the release command reports of one bundle. */
export interface ReleasedBundle {
  readonly bundle: string;
  readonly tag: string;
  readonly clusterStack: string;
  readonly clusterAddon: string;
  readonly nodeImage: string;
  readonly isNewVersion: boolean;
  readonly changed: readonly string[];
  readonly reason: string;
  readonly previous: string | undefined;
}

/** One released bundle as plain data: what the release command writes and reports. */
export interface PlannedBundle {
  /** `<provider>/<stack>/<major>-<minor>`, its folder below dist/. */
  readonly path: string;
  readonly releaseTag: string;
  /** Files of `release/<tag>/`. */
  readonly files: readonly TreeFile[];
  /** The bundle's files below dist/. */
  readonly distFiles: readonly TreeFile[];
  readonly release: ReleasedBundle;
}

/**
 * A release plan as plain data, which a worker thread can hand back: the
 * bundles in definition order, the version records, and every upgrade path
 * into a new version with the problems found on it.
 */
export interface PlainPlan {
  readonly bundles: readonly PlannedBundle[];
  readonly records: readonly TreeFile[];
  readonly updatesSources: boolean;
  /** `bundle` is the path of the bundle the upgrade path leads to. */
  readonly upgrades: readonly { readonly bundle: string; readonly path: string; readonly kind: string; readonly problems: readonly string[] }[];
  /** Threads the plan was made on. */
  readonly threads: number;
}

/** What one release worker is asked to plan. */
export interface ReleaseWorkerRequest {
  readonly root: string;
  /** URL of the module whose `STACKS` export holds the definitions. */
  readonly definitionsModule: string;
  /** `<provider>/<stack>` of the stacks this worker plans. */
  readonly stacks: readonly string[];
  readonly mode: 'stable' | 'hash';
  readonly allowBreaking?: string;
}

export type ReleaseWorkerReply = { readonly plan: PlainPlan } | { readonly error: string };

export function plainPlan(plan: ReleasePlan): PlainPlan {
  return {
    bundles: plan.entries.map((e) => ({
      path: e.bundle.path,
      releaseTag: e.bundle.releaseTag,
      files: e.files,
      distFiles: e.bundle.files,
      release: {
        bundle: e.bundle.path,
        tag: e.bundle.releaseTag,
        clusterStack: e.decision.versions.clusterStack.toString(),
        clusterAddon: e.decision.versions.clusterAddon.toString(),
        nodeImage: e.decision.versions.nodeImage.toString(),
        isNewVersion: e.decision.isNewVersion,
        changed: e.decision.changed,
        reason: e.decision.reason,
        previous: e.previous?.versions.clusterStack.toString(),
      },
    })),
    records: plan.records,
    updatesSources: plan.updatesSources,
    upgrades: plan.upgrades.map((c) => ({ bundle: c.path.to.bundle, path: pathLabel(c.path), kind: c.path.kind, problems: formatFindings(c) })),
    threads: 1,
  };
}

/** `<provider>/<stack>`: the unit a release is shared out by. */
export const stackOf = (d: { readonly provider: string; readonly stack: string }): string => `${d.provider}/${d.stack}`;

/**
 * Whether a release can be planned on worker threads: the compiled CLI, a
 * large matrix, and none of the options a worker could not be handed or
 * that read shared state per bundle (a filter, vendoring, `--from`, custom
 * versions). Upgrade paths run within one stack, so stacks are the unit.
 */
export function canReleaseInParallel(definitions: readonly ClusterStackDefinition<StackVersionsRow>[], definitionsModule: string | undefined, plain: boolean): definitionsModule is string {
  const bundles = definitions.reduce((n, d) => n + (Array.isArray(d.versions) ? d.versions.length : 0), 0);
  return plain && new Set(definitions.map(stackOf)).size > 1 && canSynthesizeInParallel(bundles, definitionsModule);
}

/**
 * Plans a release on one thread per core: the stacks are dealt out by
 * bundle count, the calling thread plans its share (`local`) while worker
 * threads plan theirs, and the shares are put back in definition order.
 * Every share's failure is reported, each on its own line.
 */
export async function planInWorkers(
  request: Omit<ReleaseWorkerRequest, 'stacks'>,
  definitions: readonly ClusterStackDefinition<StackVersionsRow>[],
  local: (definitions: readonly ClusterStackDefinition<StackVersionsRow>[]) => Promise<PlainPlan>,
): Promise<PlainPlan> {
  const n = Math.min(synthesisThreads(), new Set(definitions.map(stackOf)).size);
  const shares: ClusterStackDefinition<StackVersionsRow>[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  for (const d of definitions) {
    const i = load.indexOf(Math.min(...load));
    shares[i].push(d);
    load[i] += Array.isArray(d.versions) ? d.versions.length : 0;
  }
  const url = entryModuleUrl('cli/commands/release-worker');
  const workers = shares.slice(1).map((share) => new Promise<PlainPlan>((resolve, reject) => {
    const worker = new Worker(url, { workerData: { ...request, stacks: share.map(stackOf) } satisfies ReleaseWorkerRequest });
    let replied = false;
    worker.once('message', (reply: ReleaseWorkerReply) => {
      replied = true;
      void worker.terminate();
      if ('error' in reply) reject(new Error(reply.error));
      else resolve(reply.plan);
    });
    worker.once('error', (e) => reject(e));
    worker.once('exit', () => {
      if (!replied) reject(new Error('a release worker ended without a result'));
    });
  }));
  const results = await Promise.allSettled([local(shares[0]), ...workers]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length > 0) throw new Error(failures.join('\n'));
  const plans = results.map((r) => (r as PromiseFulfilledResult<PlainPlan>).value);
  // Definition order, as one thread gives it: a stack is planned whole by one share.
  const stackIndex = new Map(definitions.map((d, i) => [stackOf(d), i]));
  const indexOf = (bundle: string): number => stackIndex.get(bundle.split('/').slice(0, 2).join('/')) ?? -1;
  const byDefinition = <T,>(items: readonly T[], bundle: (item: T) => string): T[] => [...items].sort((a, b) => indexOf(bundle(a)) - indexOf(bundle(b)));
  return {
    bundles: byDefinition(plans.flatMap((p) => p.bundles), (b) => b.path),
    records: plans.flatMap((p) => p.records),
    updatesSources: plans[0].updatesSources,
    upgrades: byDefinition(plans.flatMap((p) => p.upgrades), (u) => u.bundle),
    threads: n,
  };
}
