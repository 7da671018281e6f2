// `npm run build` (and `prepare`, so `npm ci` runs it): bundles the CLI and
// the app into .build/ and then touches .build/.stamp, which
// bin/cluster-stacks.mjs compares with the sources' mtimes. The stamp is
// written last, so an interrupted build is never taken for a fresh one.
//
// A bundle rather than one compiled file per module: Node.js then opens,
// resolves and compiles some thirty files on a command's start instead of a
// few hundred (cdk8s and constructs included), which is most of a short
// command's time. Code splitting keeps each command's modules in chunks that
// only that command imports, so `--help` still loads no stack or cdk8s.
// esbuild strips the types without checking them: `npm test` runs tsc.
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

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

const result = await build({
  absWorkingDir: root,
  // The modules a process starts from: the app, the CLI, the synthesis and
  // release workers, the three that tests and workers import by path, and
  // the CRD cache writer this script runs below.
  entryPoints: ['main.ts', 'cli/main.ts', 'cli/commands/synth-worker.ts', 'cli/commands/release-worker.ts', 'cli/commands/synth.ts', 'cli/commands/release.ts', 'stacks/index.ts', 'lib/pipeline/crd-files.ts'],
  outbase: '.',
  outdir: out,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // cdk8s and its dependencies are CommonJS and require() Node.js's modules.
  banner: { js: "import { createRequire as __clusterStacksCreateRequire } from 'node:module'; const require = __clusterStacksCreateRequire(import.meta.url);" },
  metafile: true,
  // Whitespace and syntax only, so names in stack traces and errors stay:
  // V8 pre-parses every byte it loads, and this cuts a third of them.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// Which sources each output file holds (test/compiled-cli.test.ts checks what `--help` loads).
writeFileSync(join(out, 'meta.json'), JSON.stringify(result.metafile));

// The pinned CRDs parsed once, with a summary of what each serves, by the
// module that reads them (lib/pipeline/crd-files.ts), as just built.
const { writeCrdCache, writeCrdStamps } = await import(pathToFileURL(join(out, 'lib', 'pipeline', 'crd-files.js')).href);
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
const crdFiles = walk(join(root, 'crds'));
for (const file of crdFiles) writeCrdCache(file);
// Last: a stamp promises the cache entries of its hash.
writeCrdStamps(crdFiles);
// The stamp carries the build's start time: a source saved during the build is newer.
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
