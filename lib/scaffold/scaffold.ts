import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { replaceFile, replaceSubtrees } from '../bytes/atomic-write.ts';
import { planRelease } from '../release/release.ts';
import { copiedStackFiles } from './from-stack.ts';
import { registerStack } from './registry-edit.ts';
import { parseStackName, ScaffoldInputError, type StackName } from './stack-name.ts';
import { skeletonFiles, type ScaffoldFile } from './templates.ts';

export interface ScaffoldOptions {
  /** Project root: holds stacks/, stacks/index.ts and dist/. */
  readonly root: string;
  /** `<provider>/<stack>`, e.g. `acme/scs`. */
  readonly name: string;
  /** The registered stacks, to refuse a name that is taken. */
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  /** Copy this existing stack (`<provider>/<stack>`) instead of the skeleton. @default - the skeleton */
  readonly from?: string;
}

export interface ScaffoldResult {
  readonly name: StackName;
  /** Files written, relative to the root, sorted. */
  readonly files: readonly string[];
  /** Bundles written to dist/ (`<provider>/<stack>/<major>-<minor>`), with their ClusterClass. */
  readonly bundles: readonly { readonly path: string; readonly clusterClass: string; readonly version: string }[];
  /** Version records written, relative to the root. */
  readonly records: readonly string[];
  readonly registeredIn: string;
}

const INDEX = join('stacks', 'index.ts');

function isDefinition(value: unknown): value is ClusterStackDefinition<StackVersionsRow> {
  if (value === null || typeof value !== 'object') return false;
  const v: Partial<Record<string, unknown>> = value;
  return typeof v.provider === 'string' && typeof v.stack === 'string' && Array.isArray(v.versions) && typeof v.build === 'function';
}

/** Refuses a name that is registered, has a folder, or has bundles in dist/. */
function assertFree(root: string, name: StackName, definitions: readonly ClusterStackDefinition<StackVersionsRow>[]): void {
  if (definitions.some((d) => d.provider === name.provider && d.stack === name.stack)) {
    throw new ScaffoldInputError(`${name.path} exists already (it is registered in ${INDEX}); choose another stack name`);
  }
  for (const dir of [join('stacks', name.provider, name.stack), join('dist', name.provider, name.stack)]) {
    if (existsSync(join(root, dir))) throw new ScaffoldInputError(`${name.path} exists already: ${dir}/ is there; remove it or choose another stack name`);
  }
}

/**
 * `new <provider>/<stack>`: creates `stacks/<provider>/<stack>/`, gives the
 * stack its first version (v1 records) and its dist/ bundles, and registers
 * it in stacks/index.ts, so that `npm run synth` and `npm test` pass at once.
 *
 * Nothing is written unless everything works: the folder is rendered in a
 * staging folder beside the stacks (same depth, so its relative imports
 * resolve), loaded, synthesized and validated against the CRDs from there,
 * then moved into place; dist/ follows, and the index edit comes last.
 * A failure after the move removes what was written.
 */
export async function scaffoldStack(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { root } = options;
  const name = parseStackName(options.name);
  const indexPath = join(root, INDEX);
  if (!existsSync(indexPath)) throw new Error(`${INDEX} does not exist under ${root}`);
  if (!options.definitions.some((d) => d.provider === name.provider && d.stack === name.stack)) {
    // Fails here, before anything is written, if the stack is already
    // imported or the STACKS array cannot be found.
    registerStack(readFileSync(indexPath, 'utf8'), name, INDEX);
  }
  assertFree(root, name, options.definitions);

  const files: ScaffoldFile[] = options.from ? copiedStackFiles(root, options.from, name) : skeletonFiles(name);

  const staging = mkdtempSync(join(root, 'stacks', `.new-${name.provider}-${name.stack}.tmp-`));
  const target = join(root, 'stacks', name.provider, name.stack);
  const distTarget = join(root, 'dist', name.provider, name.stack);
  const createdProviderDirs = [join(root, 'stacks', name.provider), join(root, 'dist', name.provider)].filter((d) => !existsSync(d));
  let moved = false;
  try {
    const stagedStack = join(staging, name.stack);
    for (const f of files) {
      const path = join(stagedStack, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }

    const module = (await import(pathToFileURL(join(stagedStack, 'stack.ts')).href)) as Record<string, unknown>;
    const definition = module[name.identifier];
    if (!isDefinition(definition) || definition.provider !== name.provider || definition.stack !== name.stack) {
      throw new Error(`the generated stacks/${name.path}/stack.ts does not export '${name.identifier}' as the definition of ${name.path}`);
    }
    // The first release of the new stack only: synthesis, CRD validation,
    // v1 records. Nothing of the other stacks is read or written.
    const plan = await planRelease({ root, definitions: [definition], mode: { kind: 'stable' } });
    const recordPrefix = `${join('stacks', name.provider, name.stack)}/`;
    for (const r of plan.records) {
      if (!r.path.startsWith(recordPrefix)) throw new Error(`unexpected version record path ${r.path}`);
      const path = join(stagedStack, r.path.slice(recordPrefix.length));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, r.content);
    }

    mkdirSync(dirname(target), { recursive: true });
    renameSync(stagedStack, target);
    moved = true;
    // dist/ must be synth output (or new); only the new stack's bundles are added.
    replaceSubtrees(join(root, 'dist'), 'synth', plan.entries.map((e) => ({ path: e.bundle.path, files: e.bundle.files })));
    // Last: re-read the index in case it changed meanwhile.
    replaceFile(indexPath, registerStack(readFileSync(indexPath, 'utf8'), name, INDEX));

    const written = [
      ...files.map((f) => join('stacks', name.provider, name.stack, f.path)),
      ...plan.records.map((r) => r.path),
      ...plan.entries.flatMap((e) => e.bundle.files.map((f) => join('dist', e.bundle.path, f.path))),
    ].sort();
    return {
      name,
      files: written,
      bundles: plan.entries.map((e) => ({ path: e.bundle.path, clusterClass: e.bundle.clusterClassName, version: e.decision.versions.clusterStack.toString() })),
      records: plan.records.map((r) => r.path),
      registeredIn: INDEX,
    };
  } catch (e) {
    if (moved) {
      rmSync(target, { recursive: true, force: true });
      rmSync(distTarget, { recursive: true, force: true });
    }
    for (const d of createdProviderDirs) if (existsSync(d) && readdirSync(d).length === 0) rmSync(d, { recursive: true, force: true });
    throw e;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

