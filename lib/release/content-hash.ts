import { createHash } from 'node:crypto';
import type { BundleFile } from '../../constructs/cluster-addon.ts';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import type { ClusterStackVersions } from '../../constructs/metadata.ts';
import { clusterClassName, type ClusterStackIdentity } from '../../constructs/names.ts';
import { StackVersion } from '../../constructs/stack-version.ts';
import { sha256Hex } from '../bytes/sha256.ts';

/** The versions the content hashes are defined on; never released. */
export const PLACEHOLDER_VERSIONS: ClusterStackVersions = { clusterStack: StackVersion.stable(0), clusterAddon: StackVersion.stable(0), nodeImage: StackVersion.stable(0) };

/**
 * Content hashes of the components of one bundle, computed on a synthesis
 * with every version set to a fixed placeholder, so that the hashes depend
 * on content only and not on the versions they decide.
 */
export interface ComponentHashes {
  /** The ClusterClass and every template it references (cluster-class.yaml). */
  readonly clusterClass: string;
  /** The addon charts (cluster-addon/) and their hook stages (clusteraddon.yaml). */
  readonly clusterAddon: string;
  /** The node image manifests (node-images.yaml) and build instructions (node-image/); the hash of nothing when the provider has none. */
  readonly nodeImage: string;
  /** The full Kubernetes version: a patch release is a change of the stack too. */
  readonly kubernetes: string;
}

export type Component = keyof ComponentHashes;
export const COMPONENTS: readonly Component[] = ['clusterClass', 'clusterAddon', 'nodeImage', 'kubernetes'];

/** sha256 over a set of files: sorted by path, each path and content length-prefixed so no two sets collide. */
export function hashFiles(files: readonly BundleFile[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    // update() encodes text as UTF-8 itself: no copy of each file's bytes.
    hash.update(`${Buffer.byteLength(f.path)}:${f.path}\0${Buffer.byteLength(f.content)}:`);
    hash.update(f.content);
  }
  return hash.digest('hex');
}

/** The component hashes of a bundle synthesized with placeholder versions. */
export function componentHashes(files: readonly BundleFile[], kubernetes: string): ComponentHashes {
  const pick = (test: (path: string) => boolean) => hashFiles(files.filter((f) => test(f.path)));
  return {
    clusterClass: pick((p) => p === BundleFiles.clusterClass),
    clusterAddon: pick((p) => p === BundleFiles.clusterAddonConfig || p.startsWith(`${BundleFiles.clusterAddonDir}/`)),
    nodeImage: pick((p) => p === BundleFiles.nodeImages || p.startsWith(`${BundleFiles.nodeImageDir}/`)),
    kubernetes,
  };
}

/**
 * The files of a bundle at `versions` as they read at the placeholder
 * versions: only the ClusterClass file names the version (the class and
 * template names), so its versioned class name goes back to the placeholder
 * one. The release reader checks released folders by the same rule, and it
 * is what lets a bundle synthesized once, at its real versions, be hashed
 * without a second synthesis (test/lib/release/content-hash.test.ts holds it
 * against a placeholder synthesis of every shipped bundle).
 */
export function atPlaceholderVersions<F extends { readonly path: string; readonly content: string }>(files: readonly F[], identity: ClusterStackIdentity, versions: ClusterStackVersions): F[] {
  const versioned = clusterClassName(identity, versions.clusterStack);
  const placeholder = clusterClassName(identity, PLACEHOLDER_VERSIONS.clusterStack);
  return files.map((f) => (f.path === BundleFiles.clusterClass && versioned !== placeholder ? { ...f, content: f.content.split(versioned).join(placeholder) } : f));
}

/** The component hashes of a bundle rendered at `versions`. */
export function bundleHashes(bundle: { readonly files: readonly BundleFile[]; readonly identity: ClusterStackIdentity; readonly versions: ClusterStackVersions }): ComponentHashes {
  return componentHashes(atPlaceholderVersions(bundle.files, bundle.identity, bundle.versions), bundle.identity.kubernetes.toString());
}

/** One short hash over all components, for `v0-sha.<hash>` development versions. */
export function combinedHash(hashes: ComponentHashes): string {
  return sha256Hex(COMPONENTS.map((c) => `${c}=${hashes[c]}`).join('\n'));
}
