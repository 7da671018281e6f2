import type { ClusterStackVersions } from '../../constructs/metadata.ts';
import { StackVersion } from '../../constructs/stack-version.ts';
import { INITIAL_VERSIONS } from '../pipeline/synth.ts';
import { combinedHash, COMPONENTS, type Component, type ComponentHashes } from './content-hash.ts';

/** How release versions are chosen. */
export type VersionMode =
  /** Version of change: bump what changed since the previous release. */
  | { readonly kind: 'stable' }
  /** Development builds: `v0-sha.<hash>` for the stack and each component, as csctl's hash mode. */
  | { readonly kind: 'hash' }
  /** Explicit versions, validated like the operator validates them. */
  | { readonly kind: 'custom'; readonly versions: ClusterStackVersions };

/** What was released last: versions and the content hashes they were given for. */
export interface PreviousRelease {
  readonly versions: ClusterStackVersions;
  readonly hashes: ComponentHashes;
  /** Where the previous state was read from, for messages. */
  readonly source: string;
}

export interface VersionDecision {
  readonly versions: ClusterStackVersions;
  /** Components whose content differs from the previous release (all, for a first release). */
  readonly changed: readonly Component[];
  /** False when nothing changed and the previous versions are kept. */
  readonly isNewVersion: boolean;
  /** One line explaining the decision. */
  readonly reason: string;
}


/**
 * Decides the versions of one stack × minor. In stable mode the stack
 * version bumps when anything changed (ClusterClass, addons, node images,
 * Kubernetes patch version) — unlike csctl, which misses ClusterClass-only
 * changes — the addon version only when addon content changed, the node
 * image version only when node image content changed; nothing changed keeps
 * every version.
 */
export function decideVersions(current: ComponentHashes, previous: PreviousRelease | undefined, mode: VersionMode): VersionDecision {
  const changed = previous ? COMPONENTS.filter((c) => previous.hashes[c] !== current[c]) : [...COMPONENTS];
  switch (mode.kind) {
    case 'hash': {
      const v = StackVersion.prerelease(0, 'sha', combinedHash(current).slice(0, 7));
      return { versions: { clusterStack: v, clusterAddon: v, nodeImage: v }, changed, isNewVersion: true, reason: `development build ${v.toString()} (hash of the content)` };
    }
    case 'custom':
      return { versions: mode.versions, changed, isNewVersion: true, reason: `custom versions ${describe(mode.versions)}` };
    case 'stable': {
      if (!previous) return { versions: INITIAL_VERSIONS, changed, isNewVersion: true, reason: 'first release' };
      if (changed.length === 0) {
        return { versions: previous.versions, changed, isNewVersion: false, reason: `no change since ${previous.versions.clusterStack.toString()} (${previous.source}): no new version` };
      }
      const next = (v: StackVersion, what: string) => {
        if (!v.isStable) {
          throw new Error(`${previous.source}: the previous ${what} version ${v.toString()} is not a stable version, so stable mode cannot bump it; release with custom versions instead`);
        }
        return v.next();
      };
      const versions: ClusterStackVersions = {
        clusterStack: next(previous.versions.clusterStack, 'cluster stack'),
        clusterAddon: changed.includes('clusterAddon') ? next(previous.versions.clusterAddon, 'cluster addon') : previous.versions.clusterAddon,
        nodeImage: changed.includes('nodeImage') ? next(previous.versions.nodeImage, 'node image') : previous.versions.nodeImage,
      };
      return { versions, changed, isNewVersion: true, reason: `${changed.join(', ')} changed since ${previous.versions.clusterStack.toString()}` };
    }
  }
}

export function describe(v: ClusterStackVersions): string {
  return `stack ${v.clusterStack.toString()}, addon ${v.clusterAddon.toString()}, node image ${v.nodeImage.toString()}`;
}
