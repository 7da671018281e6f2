import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { BUILD_ROOT, entryModuleUrl, PROJECT_ROOT } from '../../lib/pipeline/project-root.ts';
import { STACKS_MODULE } from '../stacks.ts';
import type { WorkerKind } from '../workers.ts';

/** Where a worker thread starts, and what its workerData must add. */
export interface WorkerEntry {
  readonly url: URL;
  readonly data: { readonly kind?: WorkerKind };
  /** What to do right before the thread is made (startWorker). */
  readonly beforeStart?: () => void;
}

/**
 * The compiled workers' loader runs in the thread it starts (bin/worker.cjs
 * requires bin/compiled.cjs), which sets the CLI's V8 flags again once
 * Node.js has started the thread: until then V8's defaults hold, so that
 * the thread's start loads Node.js's own modules from their code cache.
 */
function compiledWorkerStart(): void {
  const loader = createRequire(join(PROJECT_ROOT, 'bin', 'worker.cjs'))('./compiled.cjs') as { beforeWorkerStart: () => void };
  loader.beforeWorkerStart();
}

/** A worker thread at `entry`, made after what the entry asks to do first. */
export function startWorker(entry: WorkerEntry, options: WorkerOptions): Worker {
  entry.beforeStart?.();
  return new Worker(entry.url, options);
}

/**
 * The module a synth or release worker thread starts from: for the CLI's own
 * definitions (STACKS_MODULE) the compiled workers' bundle through
 * bin/worker.cjs, which starts in a fraction of the time (cli/workers.ts);
 * for any other definitions module the ES module worker, which imports it.
 * Undefined when running the TypeScript sources, which workers cannot load.
 */
export function workerEntry(kind: WorkerKind, definitionsModule: string): WorkerEntry | undefined {
  if (BUILD_ROOT === undefined) return undefined;
  if (definitionsModule === STACKS_MODULE && existsSync(join(BUILD_ROOT, 'workers.cjs'))) return { url: pathToFileURL(join(PROJECT_ROOT, 'bin', 'worker.cjs')), data: { kind }, beforeStart: compiledWorkerStart };
  return { url: entryModuleUrl(`cli/commands/${kind}-worker`), data: {} };
}
