import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { synthCommand as SynthCommand } from '../../../cli/commands/synth.ts';
import { readTree } from '../../lib/release/test-stack.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/**
 * Worker threads load compiled JavaScript only, so this runs the compiled
 * synth command (.build/, as `npm ci` builds it) on a matrix large enough to
 * be spread over threads: 132 bundles cloned from the shipped stacks.
 */
describe('synth of a large matrix on worker threads (compiled)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'synth-parallel-'));
  const matrix = join(temp, 'matrix.mjs');
  let synthCommand: typeof SynthCommand;
  let STACKS: Parameters<typeof SynthCommand>[0]['definitions'];
  const threadsEnv = process.env.CLUSTER_STACKS_SYNTH_THREADS;
  afterAll(() => {
    rmSync(temp, { recursive: true, force: true });
    if (threadsEnv === undefined) delete process.env.CLUSTER_STACKS_SYNTH_THREADS;
    else process.env.CLUSTER_STACKS_SYNTH_THREADS = threadsEnv;
  });

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    writeFileSync(
      matrix,
      `import { STACKS as SHIPPED } from ${JSON.stringify(pathToFileURL(join(ROOT, '.build', 'stacks', 'index.js')).href)};\n` +
        'export const STACKS = Array.from({ length: 44 }, (_, i) => ({ ...SHIPPED[i % SHIPPED.length], stack: `p${i}` }));\n',
    );
    ({ synthCommand } = (await import(pathToFileURL(join(ROOT, '.build', 'cli', 'commands', 'synth.js')).href)) as { synthCommand: typeof SynthCommand });
    ({ STACKS } = (await import(pathToFileURL(matrix).href)) as { STACKS: typeof STACKS });
  }, 300_000);

  it('writes the same bytes on two threads as on one', () => {
    const run = (threads: string, out: string) => {
      process.env.CLUSTER_STACKS_SYNTH_THREADS = threads;
      return synthCommand({ root: temp, definitions: STACKS, definitionsModule: pathToFileURL(matrix).href, outDir: join(temp, out) });
    };
    const two = run('2', 'two');
    const one = run('1', 'one');
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
    expect(two.bundles.length).toBe(132);
    expect(two.bundles.map((b) => b.path)).toEqual(one.bundles.map((b) => b.path));
    expect(two.unversionedChanges).toEqual(one.unversionedChanges);
    const bytes = readTree(join(temp, 'one'));
    expect(bytes.size).toBeGreaterThan(132 * 5);
    expect(readTree(join(temp, 'two'))).toEqual(bytes);
  }, 300_000);

  it('reports a worker that cannot load the definitions, and writes nothing', () => {
    process.env.CLUSTER_STACKS_SYNTH_THREADS = '2';
    expect(() => synthCommand({ root: temp, definitions: STACKS, definitionsModule: pathToFileURL(join(temp, 'missing.mjs')).href, outDir: join(temp, 'broken') })).toThrow(/missing\.mjs/);
    expect(readTree(join(temp, 'broken')).size).toBe(0);
  }, 300_000);
});
