/**
 * The project the bench runs: a temp copy of the checkout (node_modules
 * linked), so no command ever writes near the checkout's dist/, release/ or
 * version records. Its stacks/index.ts is replaced by one that exports the
 * shipped STACKS unchanged, or, when CLUSTER_STACKS_BENCH_BUNDLES is set, a
 * synthetic matrix of that many bundles (bench/matrix.ts), with one stack
 * edited when CLUSTER_STACKS_BENCH_EDIT names a metrics-server chart
 * version. The copy is then compiled (`scripts/build.mjs`), so every row runs
 * the compiled CLI through bin/cluster-stacks, as an installed project does.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, readdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

/** Folders bin/cluster-stacks.cjs compares with .build/.stamp. */
const SOURCES = ['cli', 'constructs', 'stacks', 'lib', 'imports'];
const SKIPPED = new Set(['node_modules', '.git', '.cache', 'release', 'coverage']);

export const BUNDLES_ENV = 'CLUSTER_STACKS_BENCH_BUNDLES';
export const EDIT_ENV = 'CLUSTER_STACKS_BENCH_EDIT';

const INDEX = `// Written by bench/project-copy.ts into the bench's temp copy of the project; never committed.
import { STACKS as SHIPPED } from './shipped-index.ts';
import { editOneStack, syntheticMatrix } from './bench-matrix.ts';

const bundles = process.env.${BUNDLES_ENV};
const edit = process.env.${EDIT_ENV};
const matrix = bundles ? syntheticMatrix(SHIPPED, Number(bundles)) : [...SHIPPED];
export const STACKS: typeof SHIPPED = edit ? editOneStack(matrix, 0, edit) : matrix;
`;

function newestSource(root: string): number {
  let newest = statSync(join(root, 'main.ts')).mtimeMs;
  const walk = (dir: string): void => {
    newest = Math.max(newest, statSync(dir).mtimeMs);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(dir, e.name)).mtimeMs);
    }
  };
  for (const dir of SOURCES) walk(join(root, dir));
  return newest;
}

/** Copies `root` into `into`/project, swaps in the bench index, compiles; returns the copy's folder. */
export function benchProject(root: string, into: string, log: (s: string) => void): string {
  const copy = join(into, 'project');
  // Timestamps kept, as a checkout's files are older than its build: the
  // build stamps only files changed more than two seconds before it.
  cpSync(root, copy, {
    recursive: true,
    preserveTimestamps: true,
    filter: (source) => {
      const rel = relative(root, source);
      return rel === '' || (!SKIPPED.has(rel.split('/')[0]) && !basename(source).includes('.tmp-'));
    },
  });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  renameSync(join(copy, 'stacks', 'index.ts'), join(copy, 'stacks', 'shipped-index.ts'));
  copyFileSync(join(root, 'bench', 'matrix.ts'), join(copy, 'stacks', 'bench-matrix.ts'));
  writeFileSync(join(copy, 'stacks', 'index.ts'), INDEX);
  log('building the copy (scripts/build.mjs, incremental from the checkout\'s .build/)');
  execFileSync(process.execPath, [join(copy, 'scripts', 'build.mjs')], { cwd: copy, stdio: ['ignore', 'ignore', 'inherit'] });
  if (statSync(join(copy, '.build', '.stamp')).mtimeMs < newestSource(copy)) {
    throw new Error(`${copy}/.build/.stamp is older than a source: bin/cluster-stacks.cjs would run tsx, not the compiled CLI`);
  }
  return copy;
}
