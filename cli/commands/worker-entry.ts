import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD_ROOT, entryModuleUrl, PROJECT_ROOT } from '../../lib/pipeline/project-root.ts';
import { STACKS_MODULE } from '../stacks.ts';
import type { WorkerKind } from '../workers.ts';

/** Where a worker thread starts, and what its workerData must add. */
export interface WorkerEntry {
  readonly url: URL;
  readonly data: { readonly kind?: WorkerKind };
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
  if (definitionsModule === STACKS_MODULE && existsSync(join(BUILD_ROOT, 'workers.cjs'))) return { url: pathToFileURL(join(PROJECT_ROOT, 'bin', 'worker.cjs')), data: { kind } };
  return { url: entryModuleUrl(`cli/commands/${kind}-worker`), data: {} };
}
