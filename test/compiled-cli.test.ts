import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  describe('start-up: help loads no stack, cdk8s, js-yaml or command', () => {
    // A module resolve hook that appends every URL the process loads to a file.
    const hooks = join(temp, 'record-hooks.mjs');
    const preload = join(temp, 'record.mjs');
    writeFileSync(hooks, [
      "import { appendFileSync } from 'node:fs';",
      'let file;',
      'export function initialize(data) { file = data.file; }',
      'export async function resolve(specifier, context, next) {',
      '  const result = await next(specifier, context);',
      "  appendFileSync(file, `${result.url}\\n`);",
      '  return result;',
      '}',
      '',
    ].join('\n'));
    writeFileSync(preload, [
      "import { register } from 'node:module';",
      `register(${JSON.stringify(pathToFileURL(hooks).href)}, import.meta.url, { data: { file: process.env.RECORD_IMPORTS } });`,
      '',
    ].join('\n'));
    let n = 0;
    function loaded(argv: string[]): { code: number; urls: string[] } {
      const file = join(temp, `imports-${n++}.txt`);
      writeFileSync(file, '');
      let code = 0;
      try {
        execFileSync(process.execPath, ['--import', pathToFileURL(preload).href, join(ROOT, 'bin', 'cluster-stacks.mjs'), ...argv], { cwd: temp, stdio: 'pipe', env: { ...process.env, RECORD_IMPORTS: file, NODE_OPTIONS: '' } });
      } catch (e) {
        code = (e as { status: number }).status;
      }
      return { code, urls: readFileSync(file, 'utf8').split('\n').filter((u) => u !== '') };
    }
    // The build bundles modules into chunks; its metafile says which sources each output holds.
    const meta = (): Record<string, { inputs: Record<string, unknown> }> =>
      (JSON.parse(readFileSync(join(ROOT, '.build', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> }).outputs;
    const sourcesOf = (url: string): string[] => {
      const build = pathToFileURL(join(ROOT, '.build')).href;
      if (!url.startsWith(`${build}/`)) return [url];
      return Object.keys(meta()[`.build/${url.slice(build.length + 1)}`]?.inputs ?? {});
    };
    const heavy = (urls: readonly string[]): string[] => urls.flatMap(sourcesOf).filter((u) =>
      /(^|\/)node_modules\/(cdk8s|cdk8s-plus-28|constructs|js-yaml|tsx)\//.test(u) || /^(stacks|imports)\//.test(u) || (/^cli\/commands\//.test(u) && !u.endsWith('/filter.ts')));

    it.each([[['--help']], [['release', '--help']], [['publish', '--help']], [['synth', '--no-such-option']]])('%j', (argv) => {
      const { urls } = loaded(argv);
      expect(urls.some((u) => u.includes('/.build/cli/main.js'))).toBe(true);
      expect(heavy(urls)).toEqual([]);
    });

    it('a command loads what it runs (the check above sees it)', () => {
      const { code, urls } = loaded(['synth', '--dry-run', '--provider', 'no-such-provider']);
      expect(code).toBe(2);
      expect(heavy(urls)).toEqual(expect.arrayContaining(['stacks/index.ts', 'cli/commands/synth.ts', expect.stringMatching(/^node_modules\/cdk8s\//)]));
    });
  });

  it('is what bin/cluster-stacks.mjs runs when fresh, and the sources once a source is newer', () => {
    const stamp = statSync(join(ROOT, '.build', '.stamp')).mtimeMs;
    const newest = Math.max(...['cli', 'constructs', 'stacks', 'lib', 'imports'].flatMap((d) => listTree(join(ROOT, d)).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(ROOT, d, f)).mtimeMs)));
    expect(stamp).toBeGreaterThanOrEqual(newest);
  });
});
