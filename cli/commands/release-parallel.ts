import { join } from 'node:path';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { writeStagedFiles, type TreeFile } from '../../lib/bytes/atomic-write.ts';
import type { ReleasePlan } from '../../lib/release/release.ts';
import { formatFindings, pathLabel } from '../../lib/release/upgrade-check.ts';
import { canSynthesizeInParallel, synthesisThreads, type StagedOutput } from './synth-parallel.ts';
import { startWorker, workerEntry } from './worker-entry.ts';

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
  /** `<provider>/<stack>` of every stack of the release, in claiming order: the worker plans those it claims (StackClaims). */
  readonly stacks: readonly string[];
  readonly mode: 'stable' | 'hash';
  readonly allowBreaking?: string;
  /** Write each planned bundle's release folder below this staging folder and hand back no release files. */
  readonly staged?: StagedOutput;
}

export type ReleaseWorkerReply = { readonly plan: PlainPlan } | { readonly error: string };

export function plainPlan(plan: ReleasePlan): PlainPlan {
  return {
    bundles: plan.entries.map((e) => ({
      path: e.bundle.path,
      releaseTag: e.bundle.releaseTag,
      files: e.files,
      // dist/ is written only by a release that updates the sources: any
      // other would carry every bundle's files to the end (and across threads) for nothing.
      distFiles: plan.updatesSources ? e.bundle.files : [],
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
 * Stacks a thread plans at a time. One: a batch's models, manifests and
 * archives all live until its plan is staged, and with several stacks
 * (eight, some 24 bundles) they outgrow V8's young generation, so that
 * every scavenge copies them and promotes them to die in the old one. At
 * 500 bundles one stack a batch halved the scavenge time and took 5-12 %
 * off the CPU time and 100 MiB off the peak RSS against eight (README,
 * "Incremental synth").
 */
const STACK_BATCH = 1;

/**
 * Which stacks a thread plans: the threads claim them one batch at a time
 * (STACK_BATCH) as they get to them (a slot of the shared array per stack,
 * 0 while unclaimed, as BundleClaims has per bundle), so a worker
 * that starts late takes fewer. `next` gives the definitions of one batch,
 * in definition order; none means every stack is taken. A stack is planned
 * whole by one thread: its upgrade paths run between its minors.
 */
export class StackClaims {
  /** Stacks before this index are claimed, by this thread or another: a claim is never given back. */
  private cursor = 0;
  /** The definitions of each stack in definition order, for the last definitions asked for. */
  private grouped: { readonly definitions: readonly unknown[]; readonly byStack: ReadonlyMap<string, readonly (readonly [number, unknown])[]> } | undefined;

  public constructor(private readonly shared: Int32Array, private readonly stacks: readonly string[], private readonly thread: number, private readonly batchSize = STACK_BATCH) {}

  /**
   * Claims from where this thread left off rather than going over every
   * stack (and every definition) for each batch: some 28,000 claims and
   * names per thread for the 167 stacks of a 500-bundle release.
   */
  public next<D extends { readonly provider: string; readonly stack: string }>(definitions: readonly D[]): D[] {
    const claimed: string[] = [];
    while (claimed.length < this.batchSize && this.cursor < this.stacks.length) {
      const i = this.cursor++;
      if (Atomics.compareExchange(this.shared, i, 0, this.thread + 1) === 0) claimed.push(this.stacks[i] as string);
    }
    if (this.grouped?.definitions !== definitions) {
      const byStack = new Map<string, (readonly [number, unknown])[]>();
      definitions.forEach((d, i) => {
        const key = stackOf(d);
        const list = byStack.get(key);
        if (list) list.push([i, d]);
        else byStack.set(key, [[i, d]]);
      });
      this.grouped = { definitions, byStack };
    }
    const { byStack } = this.grouped;
    const batch = claimed.flatMap((s) => byStack.get(s) ?? []);
    if (claimed.length > 1) batch.sort(([a], [b]) => a - b);
    return batch.map(([, d]) => d as D);
  }
}

/**
 * Writes the release folders of a plan below the staging folder and drops
 * their files from it, so that no archive crosses threads (see
 * ReleaseWorkerRequest.staged).
 */
function stagePlan(plan: PlainPlan, staged: StagedOutput | undefined): PlainPlan {
  if (!staged) return plan;
  for (const b of plan.bundles) writeStagedFiles(join(staged.staging, b.releaseTag), b.files, join(staged.outputFolder, b.releaseTag));
  return { ...plan, bundles: plan.bundles.map((b) => ({ ...b, files: [] })) };
}

/**
 * Plans the batches this thread claims, one after the other, each staged
 * as soon as it is planned: the loop of the calling thread and of every
 * worker.
 */
export async function planClaimedBatches<D extends { readonly provider: string; readonly stack: string }>(
  mine: StackClaims,
  definitions: readonly D[],
  plan: (batch: readonly D[]) => Promise<PlainPlan>,
  staged: StagedOutput | undefined,
): Promise<PlainPlan> {
  const plans: PlainPlan[] = [];
  for (let batch = mine.next(definitions); batch.length > 0; batch = mine.next(definitions)) plans.push(stagePlan(await plan(batch), staged));
  return mergePlans(plans, 1);
}

/** The plans of several batches as one, in the order they came. */
function mergePlans(plans: readonly PlainPlan[], threads: number): PlainPlan {
  return {
    bundles: plans.flatMap((p) => p.bundles),
    records: plans.flatMap((p) => p.records),
    updatesSources: plans[0]?.updatesSources ?? false,
    upgrades: plans.flatMap((p) => p.upgrades),
    threads,
  };
}

/**
 * Plans a release on one thread per core: the calling thread (`local`) and
 * n-1 worker threads claim stacks in batches (StackClaims) and plan each
 * batch, writing its release folders into the staging folder when given;
 * the plans are put back in definition order. Every thread's failure is
 * reported, each on its own line.
 */
export async function planInWorkers(
  request: Omit<ReleaseWorkerRequest, 'stacks'>,
  definitions: readonly ClusterStackDefinition<StackVersionsRow>[],
  local: (definitions: readonly ClusterStackDefinition<StackVersionsRow>[]) => Promise<PlainPlan>,
): Promise<PlainPlan> {
  const stacks = [...new Set(definitions.map(stackOf))];
  const n = Math.min(synthesisThreads(), stacks.length);
  const claims = new Int32Array(new SharedArrayBuffer(4 * stacks.length));
  const entry = workerEntry('release', request.definitionsModule);
  if (!entry) throw new Error('planInWorkers: no compiled worker module (run the compiled CLI)');
  const workers = Array.from({ length: n - 1 }, (_, w) => new Promise<PlainPlan>((resolve, reject) => {
    const worker = startWorker(entry, { workerData: { ...entry.data, request: { ...request, stacks } satisfies ReleaseWorkerRequest, claims, index: w + 1 } });
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
  const results = await Promise.allSettled([planClaimedBatches(new StackClaims(claims, stacks, 0), definitions, local, request.staged), ...workers]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length > 0) throw new Error(failures.join('\n'));
  const plans = results.map((r) => (r as PromiseFulfilledResult<PlainPlan>).value);
  // Definition order, as one thread gives it: a stack is planned whole by one thread.
  const stackIndex = new Map(definitions.map((d, i) => [stackOf(d), i]));
  const indexOf = (bundle: string): number => stackIndex.get(bundle.split('/').slice(0, 2).join('/')) ?? -1;
  const byDefinition = <T,>(items: readonly T[], bundle: (item: T) => string): T[] => [...items].sort((a, b) => indexOf(bundle(a)) - indexOf(bundle(b)));
  const merged = mergePlans(plans, n);
  return { ...merged, bundles: byDefinition(merged.bundles, (b) => b.path), upgrades: byDefinition(merged.upgrades, (u) => u.bundle) };
}
