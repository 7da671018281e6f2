import { join } from 'node:path';
import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { assertOutputFolder, beginTreeReplacement, replaceFile, replaceSubtrees, replaceTree, type TreeFile, type TreeReplacement } from '../../lib/bytes/atomic-write.ts';
import { CrdSchemaRegistry } from '../../lib/pipeline/crd-schema.ts';
import { isOverlay } from '../../constructs/overlay/overlay.ts';
import { bundleTree } from '../../lib/pipeline/synth.ts';
import { planRelease } from '../../lib/release/release.ts';
import type { ChartSource } from '../../lib/release/vendor.ts';
import type { VersionMode } from '../../lib/release/versioning.ts';
import { canReleaseInParallel, plainPlan, planInWorkers, type PlainPlan, type ReleasedBundle } from './release-parallel.ts';

export interface ReleaseCommandOptions {
  readonly root: string;
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  /**
   * URL of the compiled module whose `STACKS` export holds `definitions`:
   * lets a large matrix be planned on worker threads (release-parallel.ts).
   * @default - one thread
   */
  readonly definitionsModule?: string;
  readonly mode: VersionMode;
  readonly releaseDir: string;
  readonly from?: string;
  readonly filter?: (id: ClusterStackIdentity) => boolean;
  readonly dryRun?: boolean;
  readonly vendor?: ChartSource;
  /**
   * Custom mode: also write the version records and dist/ for the custom
   * versions. Stable mode always does, hash mode never.
   * @default false
   */
  readonly record?: boolean;
  /** Release over breaking upgrade paths, for this reason. */
  readonly allowBreaking?: string;
  /**
   * Write stable and custom release folders only when the addon charts are
   * vendored: such a folder is what gets published under its tag, so an
   * unvendored one would give the same tag other bytes (development builds,
   * hash mode, tag vendored builds differently). Records and dist/ are
   * written either way. @default false - folders are always written
   */
  readonly foldersOnlyVendored?: boolean;
}

export interface ReleaseSummary {
  readonly releaseDir: string;
  /** Whether the version records and dist/ were (or, with dryRun, would be) written. */
  readonly updatedSources: boolean;
  readonly releases: readonly ReleasedBundle[];
  /** False when no release folder was written: stable or custom mode without vendoring, with foldersOnlyVendored. */
  readonly wroteReleaseFolders: boolean;
  /** Threads the plan was made on (1, or one per core for a large matrix). */
  readonly threads: number;
  /** Every upgrade path into a new version: `<from> → <to>` and the problems found (empty: the path is fine). */
  readonly upgrades: readonly { readonly path: string; readonly kind: string; readonly problems: readonly string[] }[];
}

/**
 * Decides versions, then writes release/<tag>/ folders and, in stable mode
 * (or custom mode with `record`), the version records and dist/. A
 * pre-release or test tag changes nothing committed unless asked to.
 * Everything is rendered in memory first and every output folder is
 * checked (lib/bytes/atomic-write.ts) before the first write; each tree is then
 * swapped in atomically, so a failure while rendering writes nothing.
 */
export async function releaseCommand(options: ReleaseCommandOptions): Promise<ReleaseSummary> {
  // An overlay that lost a base component (lib/overlay) is not released;
  // the check and the compliance rules it runs load only for overlays.
  if (options.definitions.some(isOverlay)) (await import('../../lib/overlay/conformance.ts')).assertConformance(options.definitions);
  if (!options.dryRun) assertOutputFolder(options.releaseDir, 'release');
  // Custom versions, a selection, --from and vendoring stay on this thread (see canReleaseInParallel).
  const kind = options.mode.kind === 'stable' || options.mode.kind === 'hash' ? options.mode.kind : undefined;
  const plain = kind !== undefined && !options.from && !options.filter && !options.vendor && !options.record;
  const writeFolders = !(options.foldersOnlyVendored && !options.vendor && options.mode.kind !== 'hash');
  const parallel = kind !== undefined && canReleaseInParallel(options.definitions, options.definitionsModule, plain);
  // Loaded once when the plan is made in batches (planInWorkers).
  let registry: CrdSchemaRegistry | undefined;
  const planShare = async (definitions: readonly ClusterStackDefinition<StackVersionsRow>[]): Promise<PlainPlan> =>
    plainPlan(await planRelease({
      root: options.root,
      definitions,
      mode: options.mode,
      registry: (registry ??= CrdSchemaRegistry.load()),
      ...(options.from ? { from: options.from } : {}),
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.vendor ? { vendor: options.vendor } : {}),
      ...(options.record ? { record: true } : {}),
      ...(options.allowBreaking !== undefined ? { allowBreaking: options.allowBreaking } : {}),
      // The workers take the other cores (lib/bytes/tgz.ts Compression).
      ...(parallel ? { compression: 'calling-thread' as const } : {}),
    }));
  // In parallel, every thread writes the release folders it plans into the
  // staging folder itself (as synth's workers do), while the others plan.
  const staging: TreeReplacement | undefined = parallel && !options.dryRun && writeFolders ? beginTreeReplacement(options.releaseDir, 'release') : undefined;
  let plan: PlainPlan;
  try {
    plan = kind !== undefined && parallel
      ? await planInWorkers(
          {
            root: options.root,
            definitionsModule: options.definitionsModule as string,
            mode: kind,
            ...(options.allowBreaking !== undefined ? { allowBreaking: options.allowBreaking } : {}),
            ...(staging ? { staged: { staging: staging.staging, outputFolder: options.releaseDir } } : {}),
          },
          options.definitions,
          planShare,
        )
      : await planShare(options.definitions);
    if (!options.dryRun && plan.updatesSources) assertOutputFolder(join(options.root, 'dist'), 'synth');
  } catch (e) {
    staging?.abort();
    throw e;
  }
  if (!options.dryRun) {
    const dist = join(options.root, 'dist');
    const releaseFolders = plan.bundles.map((b) => ({ path: b.releaseTag, files: b.files }));
    if (staging) staging.commit();
    else if (writeFolders && options.filter) replaceSubtrees(options.releaseDir, 'release', releaseFolders);
    else if (writeFolders) replaceTree(options.releaseDir, bundleTree(releaseFolders), 'release');
    if (plan.updatesSources) {
      writeFiles(options.root, plan.records);
      const bundleFolders = plan.bundles.map((b) => ({ path: b.path, files: b.distFiles }));
      if (options.filter) replaceSubtrees(dist, 'synth', bundleFolders);
      else replaceTree(dist, bundleTree(bundleFolders), 'synth');
    }
  }
  return {
    releaseDir: options.releaseDir,
    updatedSources: plan.updatesSources,
    wroteReleaseFolders: writeFolders && !options.dryRun,
    threads: plan.threads,
    releases: plan.bundles.map((b) => b.release),
    upgrades: plan.upgrades.map((u) => ({ path: u.path, kind: u.kind, problems: u.problems })),
  };
}

function writeFiles(root: string, files: readonly TreeFile[]): void {
  for (const f of files) replaceFile(join(root, f.path), f.content);
}
