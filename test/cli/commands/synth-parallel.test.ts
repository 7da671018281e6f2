import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { synthCommand as SynthCommand } from '../../../cli/commands/synth.ts';
import { readTree } from '../../lib/release/test-stack.ts';
import { compiledMatrix, threadsSetting } from './compiled-matrix.ts';

/** The compiled synth command on 132 bundles cloned from the shipped stacks, enough to be spread over threads. */
describe('synth of a large matrix on worker threads (compiled)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'synth-parallel-'));
  const threads = threadsSetting();
  let synthCommand: typeof SynthCommand;
  let STACKS: Parameters<typeof SynthCommand>[0]['definitions'];
  let matrixUrl: string;
  afterAll(() => {
    rmSync(temp, { recursive: true, force: true });
    threads.restore();
  });

  beforeAll(async () => {
    let module: { synthCommand: typeof SynthCommand };
    ({ module, STACKS, matrixUrl } = await compiledMatrix<{ synthCommand: typeof SynthCommand }>(temp, 'synth'));
    ({ synthCommand } = module);
  }, 300_000);

  it('writes the same bytes on two threads as on one', () => {
    const run = (count: string, out: string) => {
      threads.set(count);
      return synthCommand({ root: temp, definitions: STACKS, definitionsModule: matrixUrl, outDir: join(temp, out) });
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

  it('records the stamps each thread took of what it staged: a second run rewrites nothing, an edited file only its bundle', () => {
    threads.set('2');
    const out = join(temp, 'stamped');
    // Builds on this thread are counted (the synth cache keys a bundle by its definition, so every run uses these).
    const built: string[] = [];
    const counted = STACKS.map((d) => ({ ...d, build: (stack: Parameters<typeof d.build>[0], row: Parameters<typeof d.build>[1]) => (built.push(`${d.stack} ${row.kubernetes}`), d.build(stack, row)) }));
    const first = synthCommand({ root: temp, definitions: counted, definitionsModule: matrixUrl, outDir: out });
    expect(first.threads).toBe(2);
    expect(first.bundles.every((b) => b.written)).toBe(true);
    const bytes = readTree(out);
    built.length = 0;
    const again = synthCommand({ root: temp, definitions: counted, definitionsModule: matrixUrl, outDir: out });
    expect(again.bundles.filter((b) => b.written).map((b) => b.path)).toEqual([]);
    expect(built).toEqual([]);
    // One bundle of each thread's share (the first stacks go to the calling thread, the last to the worker).
    const edited = [first.bundles[0], first.bundles[first.bundles.length - 1]].map((b) => b?.path as string);
    for (const path of edited) writeFileSync(join(out, path, 'metadata.yaml'), 'edited: by hand\n');
    const third = synthCommand({ root: temp, definitions: counted, definitionsModule: matrixUrl, outDir: out });
    expect(third.bundles.filter((b) => b.written).map((b) => b.path)).toEqual(edited);
    expect(built).toHaveLength(2);
    expect(readTree(out)).toEqual(bytes);
  }, 300_000);

  it('leaves the output folder as it was when the calling thread fails after a worker staged its share', () => {
    threads.set('2');
    const out = join(temp, 'kept');
    synthCommand({ root: temp, definitions: STACKS, definitionsModule: matrixUrl, outDir: out });
    // A stray file makes the next run replace the whole folder, the run whose threads write into one staging folder.
    writeFileSync(join(out, 'stray.txt'), 'not a bundle\n');
    const before = readTree(out);
    // The calling thread's share begins with the first stack, broken here only; the worker loads the good ones.
    const broken = STACKS.map((s, i) => (i === 0 ? { ...s, provider: 'Dock-er' } : s));
    expect(() => synthCommand({ root: temp, definitions: broken, definitionsModule: matrixUrl, outDir: out })).toThrow(/'provider' 'Dock-er' is not valid/);
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(out).filter((e) => e.startsWith('.cluster-stacks-'))).toEqual(['.cluster-stacks-output']);
  }, 300_000);

  it('reports a worker that cannot load the definitions, and writes nothing', () => {
    threads.set('2');
    expect(() => synthCommand({ root: temp, definitions: STACKS, definitionsModule: pathToFileURL(join(temp, 'missing.mjs')).href, outDir: join(temp, 'broken') })).toThrow(/missing\.mjs/);
    expect(readTree(join(temp, 'broken')).size).toBe(0);
  }, 300_000);
});
