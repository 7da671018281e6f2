import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { releaseCommand as ReleaseCommand } from '../../../cli/commands/release.ts';
import { readTree } from '../../lib/release/test-stack.ts';
import { compiledMatrix, threadsSetting } from './compiled-matrix.ts';

/** The compiled release command on 132 bundles in 44 stacks, enough to be planned on threads. */
describe('release of a large matrix on worker threads (compiled)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'release-parallel-'));
  const threads = threadsSetting();
  let releaseCommand: typeof ReleaseCommand;
  let STACKS: Parameters<typeof ReleaseCommand>[0]['definitions'];
  let matrixUrl: string;
  afterAll(() => {
    rmSync(temp, { recursive: true, force: true });
    threads.restore();
  });

  beforeAll(async () => {
    let module: { releaseCommand: typeof ReleaseCommand };
    ({ module, STACKS, matrixUrl } = await compiledMatrix<{ releaseCommand: typeof ReleaseCommand }>(temp, 'release'));
    ({ releaseCommand } = module);
  }, 300_000);

  /** A project root of its own for each run: stable mode writes records and dist/ there. */
  const run = (count: string, name: string, mode: 'hash' | 'stable', definitionsModule = matrixUrl) => {
    threads.set(count);
    const root = join(temp, name);
    mkdirSync(root);
    return { root, result: releaseCommand({ root, definitions: STACKS, definitionsModule, mode: { kind: mode }, releaseDir: join(root, 'release') }) };
  };

  it.each(['hash', 'stable'] as const)('%s mode: the same release folders, records, dist/ and summary on two threads as on one', async (mode) => {
    const two = run('2', `${mode}-two`, mode);
    const a = await two.result;
    const one = run('1', `${mode}-one`, mode);
    const b = await one.result;
    expect(a.threads).toBe(2);
    expect(b.threads).toBe(1);
    expect(a.releases).toHaveLength(132);
    expect(a.releases).toEqual(b.releases);
    expect(a.upgrades).toEqual(b.upgrades);
    expect(a.updatedSources).toBe(mode === 'stable');
    const tree = readTree(one.root);
    expect(tree.size).toBeGreaterThan(132 * 5);
    expect(readTree(two.root)).toEqual(tree);
  }, 300_000);

  it('writes nothing when a stack fails after other stacks were written into the staging folder', async () => {
    const broken = join(temp, 'broken-late.mjs');
    writeFileSync(
      broken,
      `import { STACKS as MATRIX } from ${JSON.stringify(matrixUrl)};\n` +
        "export const STACKS = MATRIX.map((d, i) => (i === MATRIX.length - 1 ? { ...d, build: () => { throw new Error(`stack ${d.stack} cannot build`); } } : d));\n",
    );
    const brokenUrl = pathToFileURL(broken).href;
    const { STACKS: definitions } = (await import(brokenUrl)) as { STACKS: typeof STACKS };
    threads.set('2');
    const root = join(temp, 'broken-late');
    mkdirSync(root);
    const releaseDir = join(root, 'release');
    await expect(releaseCommand({ root, definitions, definitionsModule: brokenUrl, mode: { kind: 'hash' }, releaseDir })).rejects.toThrow('stack p43 cannot build');
    expect(existsSync(releaseDir)).toBe(false);
    expect(readTree(root).size).toBe(0);
  }, 300_000);

  it('reports a worker that cannot load the definitions, and writes nothing', async () => {
    const { root, result } = run('2', 'broken', 'hash', pathToFileURL(join(temp, 'missing.mjs')).href);
    await expect(result).rejects.toThrow(/missing\.mjs/);
    expect(readTree(root).size).toBe(0);
  }, 300_000);
});
