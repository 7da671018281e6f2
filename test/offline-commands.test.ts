import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { build, transformSync, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { LEFT_OUT_CA_ENV } from '../lib/process/offline-start.ts';

const ROOT = resolve(import.meta.dirname, '..');
const COMMAND = join(ROOT, 'bin', 'cluster-stacks');

/** The first arguments bin/cluster-stacks always starts without NODE_EXTRA_CA_CERTS, read from the script itself. */
function offlineArguments(script: string): string[] {
  const line = script.split('\n').find((l) => /\)\s*offline=yes\s*;;/.test(l));
  if (!line) throw new Error('bin/cluster-stacks: no `...) offline=yes ;;` case');
  return line.slice(0, line.indexOf(')')).split('|').map((a) => a.trim());
}

/**
 * The modules a command's action loads, as cli/ registers it: the
 * `import('…')`s and `loadStacks()` between its `.command('<name>')` and the
 * next command's.
 */
function actionModules(name: string): string[] {
  const cli = join(ROOT, 'cli');
  for (const file of readdirSync(cli).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(cli, file), 'utf8');
    const at = text.indexOf(`.command('${name}')`);
    if (at < 0) continue;
    const next = text.indexOf('.command(', at + 1);
    const action = text.slice(at, next < 0 ? undefined : next);
    const modules = [...action.matchAll(/import\('(\.{1,2}\/[^']+)'\)/g)].map((m) => resolve(cli, m[1] as string));
    if (action.includes('loadStacks(')) modules.push(join(ROOT, 'stacks', 'index.ts'));
    if (modules.length === 0) throw new Error(`cli/${file}: the action of '${name}' imports nothing this test can follow`);
    return modules;
  }
  throw new Error(`cli/: no command '${name}'`);
}

/** Node.js modules that open connections; `fetch` and `WebSocket` are globals, found in the code instead. */
const NETWORK_BUILTINS = new Set(['node:http', 'node:https', 'node:http2', 'node:net', 'node:tls', 'node:dgram', 'http', 'https', 'http2', 'net', 'tls', 'dgram']);
/**
 * Packages the offline commands may reach, each read for how it is used:
 * none of them opens a connection through the calls this project makes
 * (cdk8s's Include of a URL is never called).
 */
const OFFLINE_PACKAGES = new Set(['cdk8s', 'constructs', 'js-yaml', 'commander', 'tar-stream']);

interface Reach {
  readonly files: readonly string[];
  readonly packages: ReadonlySet<string>;
  /** '<file>: <what>' for each way out of the process found. */
  readonly network: readonly string[];
  /** The boundaries an import reached (and left unread). */
  readonly boundariesReached: ReadonlySet<string>;
}

/** No way out of the process, and no package but those read for how they are used. */
function expectNoWayOut(r: Reach): void {
  expect(r.network).toEqual([]);
  expect([...r.packages].filter((p) => !OFFLINE_PACKAGES.has(p))).toEqual([]);
}

/**
 * Everything the CLI's start-up (cli/main.ts without the actions it loads
 * on demand), the worker threads' entry and `entries` load: own files
 * followed to the end, packages named and left.
 */
async function reach(entries: readonly string[], boundaries: readonly string[] = []): Promise<Reach> {
  const packages = new Set<string>();
  const network: string[] = [];
  const boundariesReached = new Set<string>();
  const edges: Plugin = {
    name: 'edges',
    setup(b) {
      // A boundary is left unread: what only it reaches is only run the way it is called.
      b.onResolve({ filter: /^\./ }, (a) => {
        const target = relative(ROOT, resolve(a.resolveDir, a.path));
        if (!boundaries.includes(target)) return undefined;
        boundariesReached.add(target);
        return { path: a.path, external: true };
      });
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        if (NETWORK_BUILTINS.has(a.path)) network.push(`${relative(ROOT, a.importer)}: imports ${a.path}`);
        if (!a.path.startsWith('node:')) packages.add(a.path.startsWith('@') ? a.path.split('/').slice(0, 2).join('/') : (a.path.split('/')[0] as string));
        return { external: true };
      });
      // cli/*.ts register the commands; the action a command runs is one of `entries`.
      b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'dynamic-import' && dirname(a.importer) === join(ROOT, 'cli') ? { path: a.path, external: true } : undefined));
    },
  };
  const result = await build({
    entryPoints: [join(ROOT, 'cli', 'main.ts'), join(ROOT, 'cli', 'commands', 'worker-entry.ts'), ...entries],
    bundle: true,
    write: false,
    splitting: true,
    format: 'esm',
    platform: 'node',
    outdir: join(tmpdir(), 'offline-commands-unused'),
    metafile: true,
    logLevel: 'silent',
    plugins: [edges],
  });
  const files = Object.keys(result.metafile.inputs);
  for (const file of files) {
    // Comments removed: what is left is code.
    const loader = file.endsWith('.json') ? 'json' : /\.[cm]?js$/.test(file) ? 'js' : 'ts';
    const code = transformSync(readFileSync(join(ROOT, file), 'utf8'), { loader, minifyWhitespace: true }).code;
    if (/\bfetch\s*\(/.test(code)) network.push(`${file}: calls fetch()`);
    if (/\bWebSocket\b/.test(code)) network.push(`${file}: uses WebSocket`);
    // A Node.js child process would inherit the environment without the variable.
    if (/\bprocess\.execPath\b/.test(code)) network.push(`${file}: starts Node.js (process.execPath)`);
  }
  return { files, packages, network, boundariesReached };
}

describe('bin/cluster-stacks starts offline commands without NODE_EXTRA_CA_CERTS', () => {
  const temp = mkdtempSync(join(tmpdir(), 'offline-commands-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const PRINT_LEFT_OUT = join(temp, 'print-left-out.cjs');
  writeFileSync(PRINT_LEFT_OUT, `process.stdout.write('left out: ' + (process.env.${LEFT_OUT_CA_ENV} ?? '-') + '\\n');\n`);
  const offline = offlineArguments(readFileSync(COMMAND, 'utf8'));
  const commands = offline.filter((a) => !a.startsWith('-') && a !== 'help');

  it('lists the commands it means', () => {
    expect(commands).toEqual(['synth', 'validate', 'diff', 'docs']);
  });

  it('release: nothing it loads can open a connection but lib/release/vendor.ts, which only --vendor runs', async () => {
    const vendor = join('lib', 'release', 'vendor.ts');
    const r = await reach(actionModules('release'), [vendor]);
    expect([...r.boundariesReached]).toEqual([vendor]);
    expectNoWayOut(r);
    // The only way the action reaches the vendoring: its --vendor and --vendor-from options.
    const main = readFileSync(join(ROOT, 'cli', 'main.ts'), 'utf8');
    const action = main.slice(main.indexOf(".command('release')"), main.indexOf(".command('diff')"));
    expect(action).toMatch(/const vendor = opts\.vendorFrom \? \{ kind: 'folder' as const, path: resolve\(opts\.vendorFrom\) \} : opts\.vendor \? \{ kind: 'repository' as const \} : undefined;/);
  });

  it.each(commands)('%s: nothing it loads can open a connection', async (name) => {
    const modules = actionModules(name);
    const r = await reach(modules);
    expect(r.files).toContain(relative(ROOT, modules[0] as string));
    expectNoWayOut(r);
  });

  it.each([
    ['list', /calls fetch\(\)/],
    ['publish', /calls fetch\(\)/],
    ['release', /lib\/release\/vendor\.ts: calls fetch\(\)/],
    ['new', /process\.execPath|fetch/],
  ])('finds the way out of %s when nothing bounds it', async (name, found) => {
    expect(offline).not.toContain(name);
    const r = await reach(actionModules(name));
    expect(r.network.join('\n')).toMatch(found);
  });

  // Node.js warns, before any JavaScript runs, when it cannot read the file:
  // whether the process was started with the variable, seen from outside.
  const CA_FILE = join(tmpdir(), 'no-such-ca-bundle.pem');
  const started = (args: readonly string[], command = COMMAND, env: NodeJS.ProcessEnv = {}): { warned: boolean; leftOut: string | undefined } => {
    // Prints the variable the launcher sets, then lets the command run.
    const r = spawnSync(command, [...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require=${PRINT_LEFT_OUT}`, NODE_EXTRA_CA_CERTS: CA_FILE, ...env } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Usage: cluster-stacks/);
    const leftOut = /^left out: (.*)$/m.exec(r.stdout)?.[1];
    return { warned: r.stderr.includes('Ignoring extra certs'), leftOut: leftOut === '-' ? undefined : leftOut };
  };
  const warned = (args: readonly string[], command = COMMAND): boolean => started(args, command).warned;

  it.each([[['--help']], [['-h']], [['help', 'synth']], [['synth', '--help']], [['validate', '--help']], [['diff', '--help']], [['docs', '--help']], [['release', '--help']], [['release', '--vendor-from', 'charts', '--help']]])('%j: without it, naming the file it left out', (args) => {
    expect(started(args)).toEqual({ warned: false, leftOut: CA_FILE });
  });

  it.each([[['release', '--vendor', '--help']], [['release', '--mode', 'stable', '--vendor', '--help']], [['list', '--help']], [['publish', '--help']], [['pull', '--help']], [['new', '--help']]])('%j: with it, as the user set it', (args) => {
    expect(started(args)).toEqual({ warned: true, leftOut: undefined });
  });

  it('never passes on a left-out file it did not leave out itself', () => {
    expect(started(['list', '--help'], COMMAND, { [LEFT_OUT_CA_ENV]: '/somewhere' })).toEqual({ warned: true, leftOut: undefined });
    expect(started(['synth', '--help'], COMMAND, { NODE_EXTRA_CA_CERTS: '', [LEFT_OUT_CA_ENV]: '/somewhere' })).toEqual({ warned: false, leftOut: undefined });
  });

  it('finds its launcher through a chain of links, as npm links it into node_modules/.bin/', () => {
    mkdirSync(join(temp, 'a', 'b'), { recursive: true });
    symlinkSync(COMMAND, join(temp, 'a', 'absolute'));
    symlinkSync('../absolute', join(temp, 'a', 'b', 'relative'));
    expect(warned(['--help'], join(temp, 'a', 'b', 'relative'))).toBe(false);
    expect(warned(['list', '--help'], join(temp, 'a', 'b', 'relative'))).toBe(true);
  });
});
