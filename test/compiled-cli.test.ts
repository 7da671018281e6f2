import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runSource } from '../cli/main.ts';
import { listTree } from './list-tree.ts';

const ROOT = resolve(import.meta.dirname, '..');
type Run = typeof runSource;


async function capture(run: Run, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('the compiled CLI in .build/', () => {
  let runCompiled: Run;
  const temp = mkdtempSync(join(tmpdir(), 'compiled-cli-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  beforeAll(() => {
    // The same build `npm ci` runs through `prepare`; incremental, so cheap when fresh.
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
  }, 300_000);

  beforeAll(async () => {
    ({ run: runCompiled } = (await import(pathToFileURL(join(ROOT, '.build', 'cli', 'main.js')).href)) as { run: Run });
  });

  it.each([
    ['--help'],
    ['validate', '-o', 'json'],
    ['synth', '--dry-run', '-o', 'json'],
    ['release', '--dry-run', '-o', 'json'],
    ['diff'],
    ['release', '--mode', 'nonsense'],
  ])('answers %s exactly as the sources do', async (...argv: string[]) => {
    const fromSource = await capture(runSource, argv);
    const compiled = await capture(runCompiled, argv);
    expect(compiled).toEqual(fromSource);
  });

  it('synthesizes the same bytes as the sources', async () => {
    const a = join(temp, 'source');
    const b = join(temp, 'compiled');
    expect((await capture(runSource, ['synth', '--output-dir', a, '-q'])).code).toBe(0);
    expect((await capture(runCompiled, ['synth', '--output-dir', b, '-q'])).code).toBe(0);
    const files = listTree(a);
    expect(files.length).toBeGreaterThan(0);
    expect(listTree(b)).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)), f).toEqual(readFileSync(join(a, f)));
  });

  it('is what bin/cluster-stacks.mjs runs when fresh, and the sources once a source is newer', () => {
    const stamp = statSync(join(ROOT, '.build', '.stamp')).mtimeMs;
    const newest = Math.max(...['cli', 'constructs', 'stacks', 'lib', 'imports'].flatMap((d) => listTree(join(ROOT, d)).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(ROOT, d, f)).mtimeMs)));
    expect(stamp).toBeGreaterThanOrEqual(newest);
  });
});
