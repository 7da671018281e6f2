import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { BundleFile } from '../../constructs/cluster-addon.ts';
import type { ClusterStackVersions } from '../../constructs/metadata.ts';
import type { ComponentHashes } from '../../lib/release/content-hash.ts';
import { stampWrittenFolder, type FolderStamps } from '../../lib/pipeline/synth-cache.ts';
import { writeStagedFiles } from '../../lib/bytes/atomic-write.ts';
import { BUILD_ROOT } from '../../lib/pipeline/project-root.ts';
import type { ClusterApiVersion } from './synth-v1beta2.ts';
import { startWorker, workerEntry } from './worker-entry.ts';

/** A bundle as a worker hands it back: the output files (none when it wrote them itself) and the content hashes. */
export interface ProducedBundle {
  readonly path: string;
  readonly files: readonly BundleFile[];
  readonly hashes: ComponentHashes;
  /**
   * The synth cache's stamps of the bundle folder, taken by the thread that
   * staged it: committing renames only the folders above a bundle folder,
   * which keeps the inodes and mtimes below (a stamp that did not hold would
   * only make the next run synthesize the bundle again).
   */
  readonly stamps?: FolderStamps;
}

/**
 * Where the threads write the bundles they render themselves, instead of
 * handing the files to the calling thread: the staging folder of a whole
 * output folder's replacement (lib/bytes/atomic-write.ts
 * beginTreeReplacement), and the output folder it stands for, in messages.
 */
export interface StagedOutput {
  readonly staging: string;
  readonly outputFolder: string;
}

/**
 * Writes a rendered bundle below the staging folder and returns the synth
 * cache's stamps of what it wrote (see ProducedBundle.stamps).
 */
export function stageBundle(staged: StagedOutput, bundle: { readonly path: string; readonly files: readonly BundleFile[] }): FolderStamps {
  const folder = join(staged.staging, bundle.path);
  writeStagedFiles(folder, bundle.files, join(staged.outputFolder, bundle.path));
  return stampWrittenFolder(folder, bundle.files.map((f) => f.path));
}

/** What one worker is asked to synthesize. */
export interface WorkerRequest {
  /** URL of the module whose `STACKS` export holds the definitions. */
  readonly definitionsModule: string;
  readonly clusterApi: ClusterApiVersion;
  /** Every bundle of the run, in claiming order: path and versions (as strings). The worker synthesizes those it claims. */
  readonly bundles: readonly { readonly path: string; readonly clusterStack: string; readonly clusterAddon: string; readonly nodeImage: string }[];
  /** Write the bundles of each batch without a schema problem here and hand back no files (a problem anywhere discards the staging folder). */
  readonly staged?: StagedOutput;
}

export type WorkerReply = { readonly bundles: readonly ProducedBundle[]; readonly problems: readonly string[] } | { readonly error: string };

const WORKER_TIMEOUT_MS = 15 * 60_000;
/**
 * Bundles a thread claims at a time: small enough that the threads end
 * within a few bundles of each other, large enough that rescanning the
 * definitions per batch stays negligible.
 */
const CLAIM_BATCH = 8;

/**
 * Which bundles a thread synthesizes: the threads claim the bundles in
 * batches, in order, as they get to them (a slot of `claims` per bundle,
 * 0 while unclaimed), so a thread that starts late (a worker loads the
 * stacks and cdk8s first) or runs slower takes fewer and all end together.
 * `claimBatch` gives a predicate for one batch: true for a bundle this
 * thread has just claimed, until it holds `batchSize` (default CLAIM_BATCH) of them; a batch
 * that claims nothing means every bundle is taken.
 */
export class BundleClaims {
  private readonly indexOf: ReadonlyMap<string, number>;

  public constructor(private readonly claims: Int32Array, paths: readonly string[], private readonly thread: number, private readonly batchSize = CLAIM_BATCH) {
    this.indexOf = new Map(paths.map((p, i) => [p, i]));
  }

  public claimBatch(): (path: string) => boolean {
    let taken = 0;
    return (path) => {
      if (taken >= this.batchSize) return false;
      const i = this.indexOf.get(path);
      if (i === undefined || Atomics.compareExchange(this.claims, i, 0, this.thread + 1) !== 0) return false;
      taken++;
      return true;
    };
  }
}

/**
 * Below this many bundles a worker's start-up (loading the stacks and cdk8s
 * again) costs more than it saves. CLUSTER_STACKS_PARALLEL_MIN_BUNDLES sets
 * another (tests run the workers on the shipped six).
 */
export const PARALLEL_MIN_BUNDLES = 128;

/** The positive whole number the environment variable `name` sets, else `fallback`. */
function countSetting(name: string, fallback: () => number): number {
  const configured = Number(process.env[name]);
  return Number.isInteger(configured) && configured >= 1 ? configured : fallback();
}

/**
 * Worker threads to use: one per core, or CLUSTER_STACKS_SYNTH_THREADS (1:
 * none) for a machine shared with other work.
 */
export function synthesisThreads(): number {
  return countSetting('CLUSTER_STACKS_SYNTH_THREADS', availableParallelism);
}

/** Whether `count` bundles can be spread over worker threads here: the compiled CLI, a large enough matrix, more than one thread (synth, and release through canReleaseInParallel). */
export function canSynthesizeInParallel(count: number, definitionsModule: string | undefined): definitionsModule is string {
  return definitionsModule !== undefined && BUILD_ROOT !== undefined && count >= countSetting('CLUSTER_STACKS_PARALLEL_MIN_BUNDLES', () => PARALLEL_MIN_BUNDLES) && synthesisThreads() > 1;
}

/**
 * Synthesizes, validates and renders the bundles on one thread per core:
 * the calling one and n-1 workers, each claiming batches of bundles as it
 * gets to them (BundleClaims). It waits for the workers synchronously
 * (Atomics.wait and receiveMessageOnPort), so synthCommand stays a plain
 * function. Returns the bundles in the order asked, and every schema problem.
 */
export function synthesizeInWorkers(
  definitionsModule: string,
  clusterApi: ClusterApiVersion,
  bundles: readonly { readonly path: string; readonly versions: ClusterStackVersions }[],
  /** Synthesizes the bundles `only` accepts on the calling thread, while the workers run; called once per batch. */
  local: (only: (path: string) => boolean) => { bundles: ProducedBundle[]; problems: string[] },
  staged?: StagedOutput,
): { bundles: ProducedBundle[]; problems: string[] } {
  const entry = workerEntry('synth', definitionsModule);
  if (!entry) throw new Error('synthesizeInWorkers: no compiled worker module (run the compiled CLI)');
  const n = Math.min(synthesisThreads(), bundles.length);
  const done = new Int32Array(new SharedArrayBuffer(4 * n));
  const claims = new Int32Array(new SharedArrayBuffer(4 * bundles.length));
  const request: WorkerRequest = {
    definitionsModule,
    clusterApi,
    bundles: bundles.map((b) => ({ path: b.path, clusterStack: b.versions.clusterStack.toString(), clusterAddon: b.versions.clusterAddon.toString(), nodeImage: b.versions.nodeImage.toString() })),
    ...(staged ? { staged } : {}),
  };
  const started = Array.from({ length: n - 1 }, (_, w) => {
    const { port1, port2 } = new MessageChannel();
    const worker = startWorker(entry, { workerData: { ...entry.data, request, port: port2, done, claims, index: w + 1 }, transferList: [port2] });
    worker.unref();
    return { worker, port: port1 };
  });
  const produced = new Map<string, ProducedBundle>();
  const problems: string[] = [];
  let failure: string | undefined;
  try {
    const mine = new BundleClaims(claims, bundles.map((b) => b.path), 0);
    for (;;) {
      const batch = local(mine.claimBatch());
      if (batch.bundles.length === 0 && batch.problems.length === 0) break;
      for (const b of batch.bundles) produced.set(b.path, b);
      problems.push(...batch.problems);
    }
  } catch (e) {
    failure = (e as Error).message;
  }
  for (const [w, { worker, port }] of started.entries()) {
    const i = w + 1;
    // A worker that dies before it answers (it cannot load) never raises its flag.
    if (Atomics.wait(done, i, 0, WORKER_TIMEOUT_MS) === 'timed-out') failure ??= `synthesis worker ${i} gave no result within ${WORKER_TIMEOUT_MS / 60_000} minutes`;
    const reply = receiveMessageOnPort(port)?.message as WorkerReply | undefined;
    port.close();
    void worker.terminate();
    if (!reply) failure ??= `synthesis worker ${i} ended without a result`;
    else if ('error' in reply) failure ??= reply.error;
    else {
      for (const b of reply.bundles) produced.set(b.path, b);
      problems.push(...reply.problems);
    }
  }
  if (failure) throw new Error(failure);
  return { bundles: bundles.map((b) => produced.get(b.path) as ProducedBundle), problems };
}
