import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { releaseCommand as ReleaseCommand } from '../../../cli/commands/release.ts';
import { readTree } from '../../lib/release/test-stack.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/**
 * Worker threads load compiled JavaScript only, so this runs the compiled
 * release command (.build/, as `npm ci` builds it) on a matrix large enough
 * to be planned on threads: 132 bundles in 44 stacks cloned from the shipped
 * ones.
 */
describe('release of a large matrix on worker threads (compiled)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'release-parallel-'));
  const matrix = join(temp, 'matrix.mjs');
  let releaseCommand: typeof ReleaseCommand;
  let STACKS: Parameters<typeof ReleaseCommand>[0]['definitions'];
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
    ({ releaseCommand } = (await import(pathToFileURL(join(ROOT, '.build', 'cli', 'commands', 'release.js')).href)) as { releaseCommand: typeof ReleaseCommand });
    ({ STACKS } = (await import(pathToFileURL(matrix).href)) as { STACKS: typeof STACKS });
  }, 300_000);

  /** A project root of its own for each run: stable mode writes records and dist/ there. */
  const run = (threads: string, name: string, mode: 'hash' | 'stable', definitionsModule = pathToFileURL(matrix).href) => {
    process.env.CLUSTER_STACKS_SYNTH_THREADS = threads;
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

  it('reports a worker that cannot load the definitions, and writes nothing', async () => {
    const { root, result } = run('2', 'broken', 'hash', pathToFileURL(join(temp, 'missing.mjs')).href);
    await expect(result).rejects.toThrow(/missing\.mjs/);
    expect(readTree(root).size).toBe(0);
  }, 300_000);
});
