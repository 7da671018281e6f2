import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { releaseCommand as ReleaseCommand } from '../../../cli/commands/release.ts';
import type { synthCommand as SynthCommand } from '../../../cli/commands/synth.ts';
import type { workerEntry as WorkerEntry } from '../../../cli/commands/worker-entry.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { readTree } from '../../lib/release/test-stack.ts';
import { threadsSetting } from './compiled-matrix.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const compiled = (path: string) => pathToFileURL(join(ROOT, '.build', path)).href;
/** The CLI's own definitions module, as the compiled CLI names it (cli/stacks.ts STACKS_MODULE). */
const STACKS_MODULE = compiled('stacks/index.js');

/**
 * The worker threads of the CLI's own stacks run the compiled workers'
 * bundle (.build/workers.cjs through bin/worker.cjs, cli/workers.ts) with
 * the stacks bundled into it, not the ES module workers: the shipped six
 * bundles spread over two threads (CLUSTER_STACKS_PARALLEL_MIN_BUNDLES=1)
 * give the bytes one thread gives.
 */
describe('the compiled workers bundle', () => {
  const temp = mkdtempSync(join(tmpdir(), 'compiled-workers-'));
  const threads = threadsSetting();
  const minBefore = process.env.CLUSTER_STACKS_PARALLEL_MIN_BUNDLES;
  let synthCommand: typeof SynthCommand;
  let releaseCommand: typeof ReleaseCommand;
  let workerEntry: typeof WorkerEntry;
  let STACKS: readonly ClusterStackDefinition<StackVersionsRow>[];

  beforeAll(async () => {
    process.env.CLUSTER_STACKS_PARALLEL_MIN_BUNDLES = '1';
    ({ synthCommand } = (await import(compiled('cli/commands/synth.js'))) as { synthCommand: typeof SynthCommand });
    ({ releaseCommand } = (await import(compiled('cli/commands/release.js'))) as { releaseCommand: typeof ReleaseCommand });
    ({ workerEntry } = (await import(compiled('cli/commands/worker-entry.js'))) as { workerEntry: typeof WorkerEntry });
    ({ STACKS } = (await import(STACKS_MODULE)) as { STACKS: typeof STACKS });
  }, 300_000);
  afterAll(() => {
    rmSync(temp, { recursive: true, force: true });
    threads.restore();
    if (minBefore === undefined) delete process.env.CLUSTER_STACKS_PARALLEL_MIN_BUNDLES;
    else process.env.CLUSTER_STACKS_PARALLEL_MIN_BUNDLES = minBefore;
  });

  it('is where a worker of the CLI’s own definitions starts; any other definitions module gets the ES module worker', () => {
    // The compiled workers' loader sets V8's flags once the thread has started (bin/compiled.cjs beforeWorkerStart).
    expect(workerEntry('synth', STACKS_MODULE)).toEqual({ url: pathToFileURL(join(ROOT, 'bin', 'worker.cjs')), data: { kind: 'synth' }, beforeStart: expect.any(Function) });
    expect(workerEntry('release', STACKS_MODULE)).toEqual({ url: pathToFileURL(join(ROOT, 'bin', 'worker.cjs')), data: { kind: 'release' }, beforeStart: expect.any(Function) });
    const other = pathToFileURL(join(temp, 'matrix.mjs')).href;
    expect(workerEntry('synth', other)).toEqual({ url: new URL(compiled('cli/commands/synth-worker.js')), data: {} });
    expect(workerEntry('release', other)).toEqual({ url: new URL(compiled('cli/commands/release-worker.js')), data: {} });
  });

  it('synth: the same bytes on two threads as on one', () => {
    const run = (count: string, out: string) => {
      threads.set(count);
      return synthCommand({ root: temp, definitions: STACKS, definitionsModule: STACKS_MODULE, outDir: join(temp, out) });
    };
    const two = run('2', 'synth-two');
    const one = run('1', 'synth-one');
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
    expect(two.bundles.map((b) => b.path)).toEqual(one.bundles.map((b) => b.path));
    const bytes = readTree(join(temp, 'synth-one'));
    expect(bytes.size).toBeGreaterThan(STACKS.length * 5);
    expect(readTree(join(temp, 'synth-two'))).toEqual(bytes);
  }, 300_000);

  it.each(['hash', 'stable'] as const)('release, %s mode: the same release folders, records and summary on two threads as on one', async (mode) => {
    const run = async (count: string, name: string) => {
      threads.set(count);
      const root = join(temp, `${mode}-${name}`);
      mkdirSync(root);
      return { root, result: await releaseCommand({ root, definitions: STACKS, definitionsModule: STACKS_MODULE, mode: { kind: mode }, releaseDir: join(root, 'release') }) };
    };
    const two = await run('2', 'two');
    const one = await run('1', 'one');
    expect(two.result.threads).toBe(2);
    expect(one.result.threads).toBe(1);
    expect(two.result.releases).toEqual(one.result.releases);
    const tree = readTree(one.root);
    expect(tree.size).toBeGreaterThan(STACKS.length * 5);
    expect(readTree(two.root)).toEqual(tree);
  }, 300_000);
});
