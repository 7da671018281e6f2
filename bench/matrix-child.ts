/**
 * One measurement of `npm run bench`, in its own process so that time and
 * peak RSS belong to it alone. Run as
 *
 *   node --import tsx bench/matrix-child.ts '<json ChildRequest>'
 *
 * from the project root (a temp copy); prints one JSON ChildReport line.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { releaseCommand } from '../lib/commands/release.ts';
import { synthCommand } from '../lib/commands/synth.ts';
import { CrdSchemaRegistry } from '../lib/crd-schema.ts';
import { replaceFile, replaceTree } from '../lib/atomic-write.ts';
import { distTree, planRelease, releaseTree } from '../lib/release/release.ts';
import { synthesize } from '../lib/synth.ts';
import { validateBundles } from '../lib/validate.ts';
import { STACKS } from '../stacks/index.ts';
import { editOneStack, syntheticMatrix } from './matrix.ts';

export type ChildRequest =
  /** Synthesis, validation, release planning and writing of an N-bundle matrix into `work`. */
  | { readonly kind: 'scale'; readonly bundles: number; readonly work: string }
  /** One stack edited in the N-bundle matrix already written into `work` by a scale run. */
  | { readonly kind: 'incremental'; readonly bundles: number; readonly work: string };

export interface TreeChange {
  /** Files in the tree after the run. */
  readonly files: number;
  /** Files written anew (a new inode), whatever their content. */
  readonly rewritten: number;
  /** Files whose content differs from before the run. */
  readonly changed: number;
}

export interface ChildReport {
  readonly kind: ChildRequest['kind'];
  readonly bundles: number;
  /** Milliseconds per phase, in order. */
  readonly phases: Readonly<Record<string, number>>;
  /** What each incremental run did to dist/ or release/. */
  readonly trees?: Readonly<Record<string, TreeChange>>;
  /** process.resourceUsage().maxRSS, in KiB. */
  readonly maxRssKiB: number;
  /** Milliseconds from process start to the end of the work. */
  readonly sinceStartMs: number;
}

interface FileState {
  readonly ino: number;
  readonly sha: string;
}

function snapshot(dir: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else out.set(relative(dir, path), { ino: st.ino, sha: createHash('sha256').update(readFileSync(path)).digest('hex') });
    }
  };
  walk(dir);
  return out;
}

function compare(before: Map<string, FileState>, after: Map<string, FileState>): TreeChange {
  let rewritten = 0;
  let changed = 0;
  for (const [path, a] of after) {
    const b = before.get(path);
    if (!b || b.ino !== a.ino) rewritten++;
    if (!b || b.sha !== a.sha) changed++;
  }
  return { files: after.size, rewritten, changed };
}

async function timed<T>(phases: Record<string, number>, name: string, fn: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await fn();
  phases[name] = performance.now() - start;
  return result;
}

async function scale(bundles: number, work: string): Promise<Pick<ChildReport, 'phases'>> {
  const phases: Record<string, number> = {};
  const definitions = syntheticMatrix(STACKS, bundles);
  const root = join(work, 'root');
  mkdirSync(root, { recursive: true });
  const registry = await timed(phases, 'load CRDs', () => CrdSchemaRegistry.load());
  const synthesized = await timed(phases, 'synthesize', () => synthesize(definitions));
  if (synthesized.length !== bundles) throw new Error(`synthesized ${synthesized.length} bundles, expected ${bundles}`);
  await timed(phases, 'validate', () => {
    const problems = validateBundles(synthesized, registry);
    if (problems.length > 0) throw new Error(`${problems.length} schema violations, first: ${problems[0]}`);
  });
  const plan = await timed(phases, 'plan release', () => planRelease({ root, definitions, mode: { kind: 'stable' } }));
  await timed(phases, 'write', () => {
    replaceTree(join(work, 'release'), releaseTree(plan), 'release');
    replaceTree(join(work, 'dist'), distTree(plan), 'synth');
    for (const r of plan.records) replaceFile(join(root, r.path), r.content);
  });
  return { phases };
}

async function incremental(bundles: number, work: string): Promise<Pick<ChildReport, 'phases' | 'trees'>> {
  const phases: Record<string, number> = {};
  const trees: Record<string, TreeChange> = {};
  const root = join(work, 'root');
  const dist = join(work, 'dist');
  const releaseDir = join(work, 'release');
  const matrix = syntheticMatrix(STACKS, bundles);
  const edited = matrix[0];
  const only = (id: { provider: string; stack: string }) => id.provider === edited.provider && id.stack === edited.stack;

  // Each run edits the stack again, so each has a real change to write.
  let before = snapshot(dist);
  await timed(phases, 'synth, full', () => synthCommand({ root, definitions: editOneStack(matrix, 0, '3.12.2'), outDir: dist }));
  trees['synth, full'] = compare(before, snapshot(dist));
  before = snapshot(dist);
  await timed(phases, 'synth, --provider/--stack', () => synthCommand({ root, definitions: editOneStack(matrix, 0, '3.12.1'), outDir: dist, filter: only }));
  trees['synth, --provider/--stack'] = compare(before, snapshot(dist));

  before = snapshot(releaseDir);
  await timed(phases, 'release, full', () => releaseCommand({ root, definitions: editOneStack(matrix, 0, '3.12.0'), mode: { kind: 'stable' }, releaseDir }));
  trees['release, full'] = compare(before, snapshot(releaseDir));
  before = snapshot(releaseDir);
  await timed(phases, 'release, --provider/--stack', () => releaseCommand({ root, definitions: editOneStack(matrix, 0, '3.11.0'), mode: { kind: 'stable' }, releaseDir, filter: only }));
  trees['release, --provider/--stack'] = compare(before, snapshot(releaseDir));
  return { phases, trees };
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
  const result = request.kind === 'scale' ? await scale(request.bundles, request.work) : await incremental(request.bundles, request.work);
  const report: ChildReport = {
    kind: request.kind,
    bundles: request.bundles,
    ...result,
    maxRssKiB: process.resourceUsage().maxRSS,
    sinceStartMs: performance.now(),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
