// `npm run build` (and `prepare`, so `npm ci` runs it): bundles the CLI and
// the app into .build/ and then touches .build/.stamp, which
// bin/cluster-stacks.cjs compares with the sources' mtimes. The stamp is
// written last, so an interrupted build is never taken for a fresh one.
//
// A bundle rather than one compiled file per module: Node.js then opens,
// resolves and compiles some thirty files on a command's start instead of a
// few hundred (cdk8s and constructs included), which is most of a short
// command's time. Code splitting keeps each command's modules in chunks that
// only that command imports, so `--help` still loads no stack or cdk8s.
// esbuild strips the types without checking them: `npm test` runs tsc.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { bindingUndefinedFilterPlugin } from './binding-undefined-filter.mjs';
import { lazyRequirePlugin } from './lazy-require.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.build');
const stamp = join(out, '.stamp');
const started = new Date();
rmSync(stamp, { force: true });
// The build owns .build/ (git-ignored); the parsed-CRD cache is kept, it is keyed by content.
mkdirSync(out, { recursive: true });
for (const entry of readdirSync(out, { withFileTypes: true })) {
  if (entry.name !== 'crd-json') rmSync(join(out, entry.name), { recursive: true, force: true });
}

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Whitespace and syntax only, so names in stack traces and errors stay:
  // V8 pre-parses every byte it loads, and this cuts a third of them.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  plugins: [lazyRequirePlugin, bindingUndefinedFilterPlugin],
};

// ES modules for what loads the compiled code by path: the synthesis and
// release workers, the modules of theirs that tests import, the app, and
// the CRD cache writer this script runs below.
const result = await build({
  ...common,
  entryPoints: ['main.ts', 'cli/commands/synth-worker.ts', 'cli/commands/release-worker.ts', 'cli/commands/synth.ts', 'cli/commands/release.ts', 'cli/commands/worker-entry.ts', 'stacks/index.ts', 'lib/pipeline/crd-files.ts'],
  outbase: '.',
  outdir: out,
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  // cdk8s and its dependencies are CommonJS and require() Node.js's modules.
  banner: { js: "import { createRequire as __clusterStacksCreateRequire } from 'node:module'; const require = __clusterStacksCreateRequire(import.meta.url);" },
  metafile: true,
});
// Which sources each output file holds.
writeFileSync(join(out, 'meta.json'), JSON.stringify(result.metafile));

/** One CommonJS script bundled from `entry`, which bin/compiled.cjs loads with V8's code cache (written below). */
const script = (entry, file) =>
  build({
    ...common,
    entryPoints: [entry],
    outfile: join(out, file),
    format: 'cjs',
    // import.meta does not exist in a script; the sources use only its url.
    define: { 'import.meta.url': '__clusterStacksModuleUrl' },
    banner: { js: "const __clusterStacksModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
// The CLI. A command's modules stay lazy: esbuild initializes a module
// reached only through import() when it is first imported.
await script('cli/main.ts', 'cli.cjs');
// The worker threads, with the CLI's stacks (cli/workers.ts), run through bin/worker.cjs.
await script('cli/workers.ts', 'workers.cjs');

// The pinned CRDs parsed once, with a summary of what each serves, by the
// module that reads them (lib/pipeline/crd-files.ts), as just built.
const { writeCrdCache, writeCrdStamps } = await import(pathToFileURL(join(out, 'lib', 'pipeline', 'crd-files.js')).href);
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
const crdFiles = walk(join(root, 'crds'));
for (const file of crdFiles) writeCrdCache(file);
// Last: a stamp promises the cache entries of its hash.
writeCrdStamps(crdFiles);
// The CLI's code cache: the commands a user runs most, compiled once here
// instead of in every process. They write nothing of the project's: a dry
// run, and a development release into a temp folder (hash mode leaves the
// version records and dist/ alone).
const { writeCodeCache, writeWorkersCodeCache } = await import(pathToFileURL(join(root, 'bin', 'compiled.mjs')).href);
const training = mkdtempSync(join(tmpdir(), 'cluster-stacks-build-'));
try {
  await writeCodeCache([
    ['--help'],
    ['synth', '--dry-run', '-q'],
    ['release', '--mode', 'hash', '--release-dir', join(training, 'release'), '-q'],
  ]);
  await writeWorkersCodeCache(root);
} finally {
  rmSync(training, { recursive: true, force: true });
}
// The stamp carries the build's start time: a source saved during the build is newer.
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
