import { join } from 'node:path';
import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { replaceFile, replaceTree, replaceTrees, type TreeFile } from '../atomic-write.ts';
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
}

export interface ReleaseSummary {
  readonly releaseDir: string;
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
 * Decides versions, then writes release/<tag>/ folders and, except for
 * development builds, the version records and dist/. Everything is rendered
 * in memory first; each tree is then swapped in atomically, so a failure
 * while rendering writes nothing.
 */
export async function releaseCommand(options: ReleaseCommandOptions): Promise<ReleaseSummary> {
  // An overlay that lost a base component (lib/overlay) is not released.
  assertConformance(options.definitions);
  const plan = await planRelease({
    root: options.root,
    definitions: options.definitions,
    mode: options.mode,
    ...(options.from ? { from: options.from } : {}),
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.vendor ? { vendor: options.vendor } : {}),
  });
  if (!options.dryRun) {
    if (options.filter) {
      replaceTrees(plan.entries.map((e) => ({ target: join(options.releaseDir, e.bundle.releaseTag), files: e.files })));
    } else {
      replaceTree(options.releaseDir, releaseTree(plan));
    }
    if (plan.updatesSources) {
      writeFiles(options.root, plan.records);
      const dist = join(options.root, 'dist');
      if (options.filter) replaceTrees(plan.entries.map((e) => ({ target: join(dist, e.bundle.path), files: e.bundle.files })));
      else replaceTree(dist, distTree(plan));
    }
  }
  return {
    releaseDir: options.releaseDir,
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
