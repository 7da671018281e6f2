import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleFile } from '../../constructs/cluster-addon.ts';
import type { ClusterStackVersions } from '../../constructs/metadata.ts';
import { clusterClassName, type ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { assertOutputFolder, beginTreeReplacement, replaceSubtrees, replaceTree, updateOutput, type SubtreeReplacement, type TreeFile, type TreeReplacement } from '../../lib/bytes/atomic-write.ts';
import { changedFiles } from '../../lib/bytes/folder-changes.ts';
import { VersionRecords } from '../../lib/release/version-record.ts';
import { bundleHashes, COMPONENTS, type ComponentHashes } from '../../lib/release/content-hash.ts';
import { FileDigests } from '../../lib/pipeline/file-digests.ts';
import { inWorkingFolder } from '../../lib/process/working-folder.ts';
import { bundleKeys, folderUnchanged, onlyBundleFolders, readSynthCache, stampFolder, stampOutputTree, writeSynthCache, type FolderStamps, type SynthCache, type SynthCacheEntry } from '../../lib/pipeline/synth-cache.ts';
import { bundleTree, INITIAL_VERSIONS, synthesize } from '../../lib/pipeline/synth.ts';
import { CrdSchemaRegistry } from '../../lib/pipeline/crd-schema.ts';
import { validateBundles } from '../../lib/pipeline/validate.ts';
import { canSynthesizeInParallel, stageBundle, synthesisThreads, synthesizeInWorkers, type StagedOutput } from './synth-parallel.ts';
import { assertOutputDirFor, bundlesForClusterApi, DEFAULT_CLUSTER_API_VERSION, type ClusterApiVersion } from './synth-v1beta2.ts';

export interface SynthCommandOptions {
  readonly root: string;
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  /** @default <root>/dist */
  readonly outDir?: string;
  readonly filter?: (id: ClusterStackIdentity) => boolean;
  /** Validate only; write nothing. @default false */
  readonly dryRun?: boolean;
  /** Cluster API version of the ClusterClass and its templates. @default 'v1beta1' */
  readonly clusterApi?: ClusterApiVersion;
  /**
   * URL of the module whose `STACKS` export is `definitions`: with it, a
   * large matrix is synthesized on one worker thread per core (compiled CLI
   * only; cli/commands/synth-parallel.ts). @default - one thread
   */
  readonly definitionsModule?: string;
}

/** One bundle of a synth run: written, unchanged on disk, or skipped because its inputs did not change. */
export interface SynthesizedBundle {
  readonly identity: ClusterStackIdentity;
  /** `<provider>/<stack>/<major>-<minor>`, the bundle's folder below the output folder. */
  readonly path: string;
  readonly versions: ClusterStackVersions;
  readonly clusterClassName: string;
  /** Whether this run wrote the bundle's folder (false: its bytes are already there). */
  readonly written: boolean;
}

export interface SynthResult {
  readonly bundles: readonly SynthesizedBundle[];
  /** Threads that synthesized: 1, or one per core for a large matrix (cli/commands/synth-parallel.ts). */
  readonly threads: number;
  /** Bundles whose content changed since their recorded version, one message each. */
  readonly unversionedChanges: readonly string[];
}

/**
 * Synthesizes stacks at the versions in their records, validates every
 * object, and writes the output folder (dist/ by default). The output
 * folder must be new, empty or earlier synth output (lib/bytes/atomic-write.ts);
 * anything else is refused before it is touched. It never bumps a version:
 * content that changed since the record is reported, and `release` gives it
 * a new version.
 *
 * Incremental: a bundle whose inputs did not change since this command
 * wrote it into the same folder, and whose files are untouched since, is
 * neither synthesized nor written (lib/pipeline/synth-cache.ts); a bundle
 * that is synthesized is written only when its bytes differ from the
 * folder's, and then only the files that differ when the folder holds the
 * same file paths, else the whole bundle folder (each file or folder
 * replaced atomically); when the output folder holds anything but the
 * bundles (a removed stack, a stray file), the whole folder is replaced at
 * once, as on a first run.
 */
export function synthCommand(options: SynthCommandOptions): SynthResult {
  const clusterApi = options.clusterApi ?? DEFAULT_CLUSTER_API_VERSION;
  const outDir = options.outDir ?? join(options.root, 'dist');
  // Refused before seconds of synthesis; the output folder is checked again when writing.
  if (!options.dryRun) {
    assertOutputDirFor(clusterApi, outDir, join(options.root, 'dist'));
    assertOutputFolder(outDir, 'synth');
  }
  const records = new VersionRecords(options.root);
  const recordOf = (id: ClusterStackIdentity) => records.get(id);
  const versionsFor = (id: ClusterStackIdentity) => recordOf(id)?.versions ?? INITIAL_VERSIONS;
  const selected = (id: ClusterStackIdentity) => !options.filter || options.filter(id);

  // Which bundles can be left as they are: decided from the sources and the
  // folder alone, before any synthesis.
  const digests = options.dryRun ? undefined : FileDigests.load(options.root);
  const keyed = options.dryRun ? [] : bundleKeys(options.root, options.definitions, versionsFor, `cluster-api=${clusterApi}`, digests);
  const keyOf = new Map(keyed.map((k) => [k.path, k.key]));
  const cached: SynthCache = options.dryRun ? { bundles: new Map() } : readSynthCache(options.root, outDir);
  const cache = cached.bundles;
  const bundleWise = !options.dryRun && existsSync(outDir) && (options.filter !== undefined || onlyBundleFolders(outDir, keyed.map((k) => k.path), cached));
  const skipped = new Map<string, SynthCacheEntry>();
  if (bundleWise) {
    // A bundle path is canonical (`<provider>/<stack>/<minor>`): appended, it
    // names what join() would, without normalizing 500 paths again; from
    // the output folder the kernel walks only its components (an edit of
    // a 500-bundle matrix: 0.181 -> 0.172 s, 20 runs each, taking turns).
    inWorkingFolder(outDir, (below) => {
      for (const k of keyed) {
        const entry = cache.get(k.path);
        if (selected(k.identity) && entry && entry.key === k.key && folderUnchanged(below + k.path, entry)) skipped.set(k.path, entry);
      }
    });
  }
  const keyedOrder: ClusterStackIdentity[] = [];
  const pathOf = (id: ClusterStackIdentity) => `${id.provider}/${id.stack}/${id.kubernetes.minorSlug}`;

  const toSynthesize = keyed.filter((k) => selected(k.identity) && !skipped.has(k.path));
  const output: { readonly path: string; readonly files: readonly BundleFile[]; readonly stamps?: FolderStamps }[] = [];
  const hashes = new Map<string, ComponentHashes>([...skipped].map(([path, e]) => [path, e.hashes]));
  const parallel = canSynthesizeInParallel(toSynthesize.length, options.definitionsModule);
  // A whole output folder replaced from worker threads: every thread writes
  // the bundles it renders into the staging folder itself, so the writing
  // (some twenty files a bundle) is shared too and no file crosses threads.
  const replacement: TreeReplacement | undefined = parallel && !options.dryRun && !bundleWise && !options.filter ? beginTreeReplacement(outDir, 'synth') : undefined;
  const staged: StagedOutput | undefined = replacement ? { staging: replacement.staging, outputFolder: outDir } : undefined;
  // Loaded once: `here` runs once per batch of bundles on worker threads.
  let registry: CrdSchemaRegistry | undefined;
  /** Synthesizes, validates and renders the selected bundles on this thread (and stages them, see `replacement`). */
  const here = (only: (path: string) => boolean) => {
    const bundles = synthesize(options.definitions, { filter: (id) => selected(id) && !skipped.has(pathOf(id)) && only(pathOf(id)), versionsFor });
    const problems = bundles.length === 0 ? [] : validateBundles(bundles, (registry ??= CrdSchemaRegistry.load()));
    const rendered = problems.length > 0 ? [] : bundlesForClusterApi(clusterApi, bundles);
    if (keyed.length === 0) keyedOrder.push(...bundles.map((b) => b.identity));
    return {
      bundles: rendered.map((b, i) => ({ path: b.path, files: staged ? [] : b.files, hashes: bundleHashes(bundles[i]), ...(staged ? { stamps: stageBundle(staged, b) } : {}) })),
      problems,
    };
  };
  let produced: ReturnType<typeof here>;
  try {
    produced = parallel
      ? synthesizeInWorkers(
          options.definitionsModule,
          clusterApi,
          toSynthesize.map((k) => ({ path: k.path, versions: versionsFor(k.identity) })),
          here,
          staged,
        )
      : here(() => true);
    if (produced.problems.length > 0) throw new Error(`${produced.problems.length} schema violation(s):\n  ${produced.problems.join('\n  ')}`);
  } catch (e) {
    replacement?.abort();
    throw e;
  }
  for (const b of produced.bundles) {
    output.push(b);
    hashes.set(b.path, b.hashes);
  }

  // Definition order, skipped bundles included.
  const order = keyed.length > 0 ? keyed.filter((k) => selected(k.identity)).map((k) => k.identity) : keyedOrder;
  const unversionedChanges: string[] = [];
  for (const id of order) {
    const path = pathOf(id);
    const record = recordOf(id);
    const current = hashes.get(path);
    if (!current) continue;
    if (!record) {
      unversionedChanges.push(`${path}: never released; \`release\` gives it its first version`);
      continue;
    }
    const changed = COMPONENTS.filter((c) => record.hashes[c] !== current[c]);
    if (changed.length > 0) unversionedChanges.push(`${path}: ${changed.join(', ')} changed since ${record.versions.clusterStack.toString()}; \`release\` gives it a new version`);
  }

  const written = new Set<string>();
  if (!options.dryRun) {
    if (bundleWise) {
      const folders: SubtreeReplacement[] = [];
      const files: TreeFile[] = [];
      for (const b of output) {
        const changes = changedFiles(join(outDir, b.path), b.files);
        if (changes === undefined) folders.push({ path: b.path, files: b.files });
        else if (changes.length > 0) files.push(...changes.map((f) => ({ path: `${b.path}/${f.path}`, content: f.content })));
        else continue;
        written.add(b.path);
      }
      if (folders.length > 0 || files.length > 0) updateOutput(outDir, 'synth', { folders, files });
    } else if (options.filter) {
      replaceSubtrees(outDir, 'synth', output.map((b) => ({ path: b.path, files: b.files })));
      for (const b of output) written.add(b.path);
    } else if (replacement) {
      replacement.commit();
      for (const b of output) written.add(b.path);
    } else {
      replaceTree(outDir, bundleTree(output), 'synth');
      for (const b of output) written.add(b.path);
    }
    // Remembered only after the write: a run killed before leaves stamps that no longer match.
    const next = new Map(cache);
    if (!options.filter) for (const path of next.keys()) if (!keyOf.has(path)) next.delete(path);
    for (const b of output) {
      const key = keyOf.get(b.path);
      if (key) next.set(b.path, { key, hashes: hashes.get(b.path) as ComponentHashes, ...(b.stamps ?? stampFolder(join(outDir, b.path))) });
    }
    // A run without a filter leaves exactly the bundles it cached in the output folder.
    writeSynthCache(options.root, outDir, next, options.filter ? undefined : stampOutputTree(outDir, next.keys()));
    digests?.save();
  }
  const summary = (id: ClusterStackIdentity): SynthesizedBundle => {
    const versions = versionsFor(id);
    return { identity: id, path: pathOf(id), versions, clusterClassName: clusterClassName(id, versions.clusterStack), written: written.has(pathOf(id)) };
  };
  return { bundles: order.map(summary), threads: parallel ? synthesisThreads() : 1, unversionedChanges };
}
