import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

  // .build/ is the build `npm ci` runs through `prepare`, made by test/global-build.ts before the tests.
  beforeAll(async () => {
    // As bin/cluster-stacks.cjs loads it: .build/cli.cjs with its code cache.
    const { loadCompiledCli } = (await import(pathToFileURL(join(ROOT, 'bin', 'compiled.mjs')).href)) as { loadCompiledCli: () => { cli: { run: Run }; cacheRejected: boolean } };
    const loaded = loadCompiledCli();
    expect(loaded.cacheRejected).toBe(false);
    runCompiled = loaded.cli.run;
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

  describe('start-up: help initializes no stack, cdk8s, js-yaml or command', () => {
    // The bundle wraps each module in a function named by its source path,
    // called when the module is first imported (esbuild's __esm and
    // __commonJS); V8's coverage counts the calls.
    function initialized(argv: string[]): { code: number; modules: string[] } {
      const coverage = mkdtempSync(join(temp, 'coverage-'));
      let code = 0;
      try {
        execFileSync(process.execPath, [join(ROOT, 'bin', 'cluster-stacks.cjs'), ...argv], { cwd: temp, stdio: 'pipe', env: { ...process.env, NODE_V8_COVERAGE: coverage, NODE_OPTIONS: '' } });
      } catch (e) {
        code = (e as { status: number }).status;
      }
      type Coverage = { result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[] };
      const scripts = readdirSync(coverage).flatMap((f) => (JSON.parse(readFileSync(join(coverage, f), 'utf8')) as Coverage).result);
      const cli = scripts.filter((s) => s.url.endsWith('/.build/cli.cjs'));
      expect(cli).toHaveLength(1);
      const modules = cli[0]!.functions.filter((f) => (f.ranges[0]?.count ?? 0) > 0 && /^(node_modules|cli|lib|stacks|constructs|imports)\/.*\.(ts|js|json)$/.test(f.functionName)).map((f) => f.functionName);
      return { code, modules };
    }
    const heavy = (modules: readonly string[]): string[] => modules.filter((u) =>
      /^node_modules\/(cdk8s|cdk8s-plus-28|constructs|js-yaml|tsx)\//.test(u) || /^(stacks|imports)\//.test(u) || (/^cli\/commands\//.test(u) && !u.endsWith('/filter.ts')));

    it.each([[['--help']], [['release', '--help']], [['publish', '--help']], [['synth', '--no-such-option']]])('%j', (argv) => {
      const { modules } = initialized(argv);
      // The entry's own code is not wrapped; commander, which it imports, is.
      expect(modules).toContain('node_modules/commander/index.js');
      expect(heavy(modules)).toEqual([]);
    });

    it('help loads neither node:child_process, node:net nor the ES module loader (the launcher is CommonJS), synth loads node:net only to check an address and no perf_hooks, release no child_process (stand-ins in scripts/lazy-require.mjs, lib/pipeline/crd-schema.ts)', () => {
      // Written to a file: a pipe for stdout or stderr would load node:net itself.
      const preload = join(temp, 'builtins.cjs');
      writeFileSync(preload, "process.on('exit', () => require('node:fs').writeFileSync(process.env.BUILTINS_FILE, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(',')));\n");
      const builtins = (argv: string[]): string[] => {
        const file = join(temp, `builtins-${argv.join('-').replace(/[^\w.-]/g, '_')}.txt`);
        spawnSync(process.execPath, ['-r', preload, join(ROOT, 'bin', 'cluster-stacks.cjs'), ...argv], { cwd: temp, stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '', BUILTINS_FILE: file } });
        return readFileSync(file, 'utf8').split(',');
      };
      const help = builtins(['--help']);
      expect(help).toContain('crypto');
      expect(help).not.toContain('child_process');
      expect(help).not.toContain('net');
      expect(help).not.toContain('internal/modules/esm/translators');
      // The Docker stack's objects hold no address format; OpenStack's CIDRs need node:net.
      const docker = builtins(['synth', '--dry-run', '--provider', 'docker', '-q']);
      expect(docker).toContain('crypto');
      expect(docker).not.toContain('child_process');
      expect(docker).not.toContain('net');
      // Nor perf_hooks, which the `performance` global loads on first use.
      expect(docker).not.toContain('perf_hooks');
      // A release that finds its previous versions in the version records runs no git (lib/process/child-process.ts).
      expect(builtins(['release', '--mode', 'hash', '--provider', 'docker', '--release-dir', join(temp, 'release-builtins'), '-q'])).not.toContain('child_process');
      expect(builtins(['synth', '--dry-run', '--provider', 'openstack', '-q'])).toContain('net');
    });

    it('makes the standard streams before it sets V8 flags, so node:net comes from Node.js\'s own code cache when they are pipes', () => {
      // What Node.js has loaded when bin/compiled.cjs sets its flags.
      const preload = join(temp, 'at-flags.cjs');
      writeFileSync(
        preload,
        "const v8 = require('node:v8'); const set = v8.setFlagsFromString; v8.setFlagsFromString = (f) => { require('node:fs').writeFileSync(process.env.AT_FLAGS_FILE, process.moduleLoadList.join(',')); return set(f); };\n",
      );
      const file = join(temp, 'at-flags.txt');
      const r = spawnSync(process.execPath, ['-r', preload, join(ROOT, 'bin', 'cluster-stacks.cjs'), '--help'], { cwd: temp, stdio: 'pipe', env: { ...process.env, NODE_OPTIONS: '', AT_FLAGS_FILE: file } });
      expect(r.status).toBe(0);
      // No flags on a V8 they were not measured on (bin/compiled.cjs): then nothing is compiled under them.
      const { V8_FLAGS } = createRequire(import.meta.url)(join(ROOT, 'bin', 'compiled.cjs')) as { V8_FLAGS: readonly string[] };
      expect(existsSync(file)).toBe(V8_FLAGS.length > 0);
      if (V8_FLAGS.length > 0) expect(readFileSync(file, 'utf8').split(',')).toContain('NativeModule net');
    });

    it('a command initializes what it runs (the check above sees it)', () => {
      const { code, modules } = initialized(['synth', '--dry-run', '--provider', 'no-such-provider']);
      expect(code).toBe(2);
      expect(heavy(modules)).toEqual(expect.arrayContaining(['stacks/index.ts', 'cli/commands/synth.ts', expect.stringMatching(/^node_modules\/cdk8s\//)]));
      // cdk8s's YAML package is required on first use only (scripts/lazy-require.mjs), and synth never uses it.
      expect(modules.filter((m) => m.startsWith('node_modules/cdk8s/node_modules/yaml/'))).toEqual([]);
    });
  });

  it('runs from its code cache only when the cache was made for its bytes', async () => {
    type Loaded = { script: { cachedDataRejected?: boolean }; cacheRejected: boolean };
    const { loadCompiledCli, COMPILED_WORKERS } = (await import(pathToFileURL(join(ROOT, 'bin', 'compiled.mjs')).href)) as {
      loadCompiledCli: (o?: { file?: string; useCache?: boolean }) => Loaded;
      COMPILED_WORKERS: string;
    };
    expect(loadCompiledCli().script.cachedDataRejected).toBe(false);
    // The worker threads' script has a cache of its own (cli/workers.ts).
    expect(loadCompiledCli({ file: COMPILED_WORKERS }).script.cachedDataRejected).toBe(false);
    // Without the cache V8 is given nothing to accept or reject.
    expect(loadCompiledCli({ useCache: false }).script.cachedDataRejected).toBeUndefined();
    // A copy of the same bytes finds the cache beside it; a copy with one
    // byte changed (same length, which is all V8 itself checks) does not.
    const copy = mkdtempSync(join(temp, 'code-cache-'));
    cpSync(join(ROOT, '.build', 'code-cache'), join(copy, 'code-cache'), { recursive: true });
    const source = readFileSync(join(ROOT, '.build', 'cli.cjs'), 'utf8');
    writeFileSync(join(copy, 'same.cjs'), source);
    expect(loadCompiledCli({ file: join(copy, 'same.cjs') }).script.cachedDataRejected).toBe(false);
    const at = source.indexOf('cluster-stacks');
    writeFileSync(join(copy, 'changed.cjs'), `${source.slice(0, at)}C${source.slice(at + 1)}`);
    expect(readFileSync(join(copy, 'changed.cjs')).length).toBe(Buffer.byteLength(source));
    expect(loadCompiledCli({ file: join(copy, 'changed.cjs') }).script.cachedDataRejected).toBeUndefined();
  });

  it('runs under the V8 flags its code caches were made under, in a process of its own and its worker threads', () => {
    // A fresh process as bin/cluster-stacks.cjs starts one: bin/compiled.cjs sets the flags, then loads both scripts.
    const probe = (setFlags: boolean) => {
      const script = `
        const { readFileSync } = require('node:fs');
        const Module = require('node:module');
        const vm = require('node:vm');
        const loader = require(${JSON.stringify(join(ROOT, 'bin', 'compiled.cjs'))});
        const flags = loader.V8_FLAGS;
        const rejected = [loader.COMPILED_CLI, loader.COMPILED_WORKERS].map((file) => {
          const bytes = readFileSync(file);
          if (${String(setFlags)}) return loader.loadCompiledCli({ file }).cacheRejected;
          // The same script and cache, compiled in a child that unsets what the loader set.
          for (const f of flags) require('node:v8').setFlagsFromString(f.replace(/^--([a-z-]+)=.*$/, '--$1=920'));
          return new vm.Script(Module.wrap(bytes.toString('utf8')), { cachedData: readFileSync(loader.cacheFileOf(file, bytes)) }).cachedDataRejected;
        });
        process.stdout.write(JSON.stringify({ flags, rejected }));`;
      return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { flags: string[]; rejected: boolean[] };
    };
    const loaded = probe(true);
    expect(loaded.rejected).toEqual([false, false]);
    // On the V8 they were measured on, the caches hold the flags: without them V8 rejects both.
    if (/^11\./.test(process.versions.v8)) {
      expect(loaded.flags).toEqual(['--max-inlined-bytecode-size-cumulative=115']);
      expect(probe(false).rejected).toEqual([true, true]);
    } else {
      expect(loaded.flags).toEqual([]);
    }
  });

  it.each([
    ['synth', ['synth', '--output-dir', '<out>', '-q']],
    ['release', ['release', '--mode', 'hash', '--release-dir', '<out>', '-q']],
  ])('starts a %s worker thread under V8\'s defaults and sets its flags once the thread has started', (kind, argv) => {
    // Every flag set, by thread, with whether the thread had loaded what Node.js starts a worker with.
    const preload = join(temp, 'flags-log.cjs');
    writeFileSync(
      preload,
      "const v8 = require('node:v8'); const { threadId } = require('node:worker_threads'); const set = v8.setFlagsFromString;\n" +
        "v8.setFlagsFromString = (flag) => { require('node:fs').appendFileSync(process.env.FLAGS_LOG, JSON.stringify({ threadId, flag, started: process.moduleLoadList.includes('NativeModule internal/process/worker_thread_only') }) + '\\n'); return set(flag); };\n",
    );
    const log = join(temp, `flags-${kind}.log`);
    const out = join(temp, `flags-${kind}`);
    const r = spawnSync(process.execPath, ['-r', preload, join(ROOT, 'bin', 'cluster-stacks.cjs'), ...argv.map((a) => (a === '<out>' ? out : a))], {
      cwd: temp,
      stdio: 'pipe',
      env: { ...process.env, NODE_OPTIONS: '', FLAGS_LOG: log, CLUSTER_STACKS_PARALLEL_MIN_BUNDLES: '1', CLUSTER_STACKS_SYNTH_THREADS: '2' },
    });
    expect(r.status, r.stderr.toString()).toBe(0);
    const { V8_FLAGS, V8_DEFAULT_FLAGS } = createRequire(import.meta.url)(join(ROOT, 'bin', 'compiled.cjs')) as { V8_FLAGS: readonly string[]; V8_DEFAULT_FLAGS: readonly string[] };
    const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { threadId: number; flag: string; started: boolean }) : [];
    if (V8_FLAGS.length === 0) {
      expect(calls).toEqual([]);
      return;
    }
    expect(V8_DEFAULT_FLAGS).toHaveLength(V8_FLAGS.length);
    const main = calls.filter((c) => c.threadId === 0).map((c) => c.flag);
    const worker = calls.filter((c) => c.threadId !== 0);
    // The process sets the flags, then the defaults right before it makes the worker.
    expect(main).toEqual([...V8_FLAGS, ...V8_DEFAULT_FLAGS]);
    // The worker sets them again, after its start and before its script (whose code cache needs them).
    expect(worker.map((c) => c.flag)).toEqual(V8_FLAGS);
    expect(worker.every((c) => c.started)).toBe(true);
    expect(calls.findIndex((c) => c.threadId !== 0)).toBeGreaterThan(calls.findIndex((c) => c.flag === V8_DEFAULT_FLAGS[0]));
  });

  it('is ASCII only, so that V8 holds each script as a one-byte string (half the memory, the fast decode on every start)', () => {
    // Where the first byte above 0x7f is, with the text around it: esbuild
    // escapes non-ASCII in strings, but copies regular expression literals as written.
    const nonAscii = (bytes: Buffer): string | undefined => {
      const at = bytes.findIndex((b) => b > 0x7f);
      return at < 0 ? undefined : `byte ${at}: ${bytes.subarray(Math.max(0, at - 60), at + 20).toString('utf8')}`;
    };
    expect(nonAscii(Buffer.from('const D = /(?:ns|\\u00b5s)/;'))).toBeUndefined();
    expect(nonAscii(Buffer.from('const D = /(?:ns|µs)/;'))).toMatch(/^byte 17: /);
    for (const file of ['cli.cjs', 'workers.cjs']) expect(nonAscii(readFileSync(join(ROOT, '.build', file))), file).toBeUndefined();
  });

  it('is what bin/cluster-stacks.cjs runs when fresh, and the sources once a source is newer', () => {
    const stamp = statSync(join(ROOT, '.build', '.stamp')).mtimeMs;
    const newest = Math.max(...['cli', 'constructs', 'stacks', 'lib', 'imports'].flatMap((d) => listTree(join(ROOT, d)).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(ROOT, d, f)).mtimeMs)));
    expect(stamp).toBeGreaterThanOrEqual(newest);
  });
});
