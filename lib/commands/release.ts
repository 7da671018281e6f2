import { join } from 'node:path';
import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { assertOutputFolder, replaceFile, replaceSubtrees, replaceTree, type TreeFile } from '../atomic-write.ts';
import { assertConformance } from '../overlay/conformance.ts';
import { distTree, planRelease, releaseTree } from '../release/release.ts';
import type { ChartSource } from '../release/vendor.ts';
import type { VersionMode } from '../release/versioning.ts';

export interface ReleaseCommandOptions {
  readonly root: string;
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
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
}

export interface ReleaseSummary {
  readonly releaseDir: string;
  /** Whether the version records and dist/ were (or, with dryRun, would be) written. */
  readonly updatedSources: boolean;
  readonly releases: readonly {
    readonly bundle: string;
    readonly tag: string;
    readonly clusterStack: string;
    readonly clusterAddon: string;
    readonly nodeImage: string;
    readonly isNewVersion: boolean;
    readonly changed: readonly string[];
    readonly reason: string;
    readonly previous: string | undefined;
  }[];
}

/**
 * Decides versions, then writes release/<tag>/ folders and, in stable mode
 * (or custom mode with `record`), the version records and dist/. A
 * pre-release or test tag changes nothing committed unless asked to.
 * Everything is rendered in memory first and every output folder is
 * checked (lib/atomic-write.ts) before the first write; each tree is then
 * swapped in atomically, so a failure while rendering writes nothing.
 */
export async function releaseCommand(options: ReleaseCommandOptions): Promise<ReleaseSummary> {
  // An overlay that lost a base component (lib/overlay) is not released.
  assertConformance(options.definitions);
  if (!options.dryRun) assertOutputFolder(options.releaseDir, 'release');
  const plan = await planRelease({
    root: options.root,
    definitions: options.definitions,
    mode: options.mode,
    ...(options.from ? { from: options.from } : {}),
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.vendor ? { vendor: options.vendor } : {}),
    ...(options.record ? { record: true } : {}),
  });
  if (!options.dryRun) {
    const dist = join(options.root, 'dist');
    assertOutputFolder(options.releaseDir, 'release');
    if (plan.updatesSources) assertOutputFolder(dist, 'synth');
    if (options.filter) {
      replaceSubtrees(options.releaseDir, 'release', plan.entries.map((e) => ({ path: e.bundle.releaseTag, files: e.files })));
    } else {
      replaceTree(options.releaseDir, releaseTree(plan), 'release');
    }
    if (plan.updatesSources) {
      writeFiles(options.root, plan.records);
      if (options.filter) replaceSubtrees(dist, 'synth', plan.entries.map((e) => ({ path: e.bundle.path, files: e.bundle.files })));
      else replaceTree(dist, distTree(plan), 'synth');
    }
  }
  return {
    releaseDir: options.releaseDir,
    updatedSources: plan.updatesSources,
    releases: plan.entries.map((e) => ({
      bundle: e.bundle.path,
      tag: e.bundle.releaseTag,
      clusterStack: e.decision.versions.clusterStack.toString(),
      clusterAddon: e.decision.versions.clusterAddon.toString(),
      nodeImage: e.decision.versions.nodeImage.toString(),
      isNewVersion: e.decision.isNewVersion,
      changed: e.decision.changed,
      reason: e.decision.reason,
      previous: e.previous?.versions.clusterStack.toString(),
    })),
  };
}

function writeFiles(root: string, files: readonly TreeFile[]): void {
  for (const f of files) replaceFile(join(root, f.path), f.content);
}
