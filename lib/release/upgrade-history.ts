import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { clusterClassName, releaseTag, type ClusterStackIdentity } from '../../constructs/names.ts';
import { StackVersion } from '../../constructs/stack-version.ts';
import type { TreeFile } from '../bytes/atomic-write.ts';
import type { BundleBytes } from '../pipeline/synth.ts';
import { releaseArchives, releaseFiles } from './release-assets.ts';
import type { ChartSource } from './vendor.ts';
import { git, recordHistory } from './upgrade-side.ts';
import { parseRecord } from './version-record.ts';

/**
 * The release folder a past version would have had, rebuilt from git:
 * dist/<bundle> and the version record at `commit`, packaged by today's
 * release code (the archives are reproducible, so this is what `release` at
 * that commit wrote, apart from what the packaging changed since). This is
 * how the upgrade tests get the project's own v1, v2, … as releases the
 * operator can load.
 */
export async function releaseFromGit(root: string, commit: string, bundle: string, vendor?: ChartSource): Promise<{ tag: string; files: TreeFile[] }> {
  const [provider, stack, minor] = bundle.split('/');
  const prefix = `dist/${bundle}/`;
  const listing = git(root, ['ls-tree', '-r', '--name-only', commit, '--', prefix]).split('\n').filter(Boolean);
  if (listing.length === 0) throw new Error(`git ${commit}: has no ${prefix}`);
  const files = listing.map((path) => ({ path: path.slice(prefix.length), content: git(root, ['show', `${commit}:${path}`]) }));
  const recordPath = `stacks/${provider}/${stack}/version-record/${minor}.json`;
  const record = parseRecord(git(root, ['show', `${commit}:${recordPath}`]), `git ${commit}:${recordPath}`);
  const identity: ClusterStackIdentity = { provider, stack, kubernetes: KubernetesVersion.parse(record.hashes.kubernetes) };
  const version: StackVersion = record.versions.clusterStack;
  const b: BundleBytes = {
    identity,
    path: bundle,
    versions: record.versions,
    clusterClassName: clusterClassName(identity, version),
    releaseTag: releaseTag(identity, version),
    files,
  };
  return { tag: b.releaseTag, files: releaseFiles(b, record.hashes, await releaseArchives(b, vendor)) };
}

/** The commits that changed a bundle's version record, oldest first, with the stack version each recorded. */
export function recordCommits(root: string, bundle: string): { commit: string; clusterStack: string }[] {
  return recordHistory(root, bundle).reverse();
}
