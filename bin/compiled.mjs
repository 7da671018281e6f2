// What the build and the tests use of the compiled CLI's loader
// (bin/compiled.cjs, which bin/cluster-stacks.cjs and bin/worker.cjs run):
// the loader itself, and the code caches' writers.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import loader from './compiled.cjs';

export const { COMPILED_CLI, COMPILED_WORKERS, loadCompiledCli } = loader;
const { cacheFileOf } = loader;

/**
 * The build's last step for the CLI: loads the bundle without a cache, runs
 * `commands` through it (each must write nothing: dry runs), and saves the
 * code cache of everything they compiled. A command that fails only means
 * less is cached.
 */
export async function writeCodeCache(commands) {
  const { cli, script, bytes } = loadCompiledCli({ useCache: false });
  const quiet = { out: () => undefined, err: () => undefined };
  for (const argv of commands) {
    try {
      await cli.run(argv, quiet);
    } catch {
      // Less cached; the command itself reports its errors when a user runs it.
    }
  }
  return saveCodeCache(COMPILED_CLI, bytes, script);
}

/**
 * The same for the worker threads' bundle (.build/workers.cjs, run by
 * bin/worker.cjs): its train() does a worker's work on the shipped stacks.
 */
export async function writeWorkersCodeCache(root) {
  const { cli, script, bytes } = loadCompiledCli({ file: COMPILED_WORKERS, useCache: false });
  try {
    await cli.train(root);
  } catch {
    // Less cached.
  }
  return saveCodeCache(COMPILED_WORKERS, bytes, script);
}

function saveCodeCache(file, bytes, script) {
  const target = cacheFileOf(file, bytes);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(`${target}.tmp`, script.createCachedData());
  renameSync(`${target}.tmp`, target);
  return target;
}
