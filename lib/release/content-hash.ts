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

/**
 * Every occurrence of `from` in the file at `path` read as `to`: a file as
 * atPlaceholderVersions gives it, hashed without building its renamed
 * bytes (the ClusterClass file, some 100 KiB a bundle).
 */
export interface HashedRename {
  readonly path: string;
  readonly from: string;
  readonly to: string;
}

/**
 * sha256 over a set of files: sorted by path, each path and content
 * length-prefixed so no two sets collide. With `rename`, the hash of the
 * files with that file renamed (see HashedRename).
 */
export function hashFiles(files: readonly BundleFile[], rename?: HashedRename): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (rename !== undefined && f.path === rename.path && rename.from !== '') {
      hashRenamed(hash, f, rename);
      continue;
    }
    // update() encodes text as UTF-8 itself: no copy of each file's bytes.
    hash.update(`${Buffer.byteLength(f.path)}:${f.path}\0${Buffer.byteLength(f.content)}:`);
    hash.update(f.content);
  }
  return hash.digest('hex');
}

/** The same updates as for the file's content with every `from` replaced by `to`, from slices of it. */
function hashRenamed(hash: ReturnType<typeof createHash>, f: BundleFile, { from, to }: HashedRename): void {
  const starts: number[] = [];
  for (let i = f.content.indexOf(from); i !== -1; i = f.content.indexOf(from, i + from.length)) starts.push(i);
  const length = Buffer.byteLength(f.content) + starts.length * (Buffer.byteLength(to) - Buffer.byteLength(from));
  hash.update(`${Buffer.byteLength(f.path)}:${f.path}\0${length}:`);
  let at = 0;
  for (const i of starts) {
    hash.update(f.content.slice(at, i));
    hash.update(to);
    at = i + from.length;
  }
  hash.update(f.content.slice(at));
}

/** The component hashes of a bundle synthesized with placeholder versions (or read so, through `rename`). */
export function componentHashes(files: readonly BundleFile[], kubernetes: string, rename?: HashedRename): ComponentHashes {
  const pick = (test: (path: string) => boolean) => hashFiles(files.filter((f) => test(f.path)), rename);
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
  const rename = placeholderRename(identity, versions);
  return files.map((f) => (rename !== undefined && f.path === rename.path ? { ...f, content: f.content.split(rename.from).join(rename.to) } : f));
}

/** The one rename atPlaceholderVersions makes, or undefined when the versions are the placeholder ones. */
function placeholderRename(identity: ClusterStackIdentity, versions: ClusterStackVersions): HashedRename | undefined {
  const from = clusterClassName(identity, versions.clusterStack);
  const to = clusterClassName(identity, PLACEHOLDER_VERSIONS.clusterStack);
  return from === to ? undefined : { path: BundleFiles.clusterClass, from, to };
}

/**
 * The component hashes of a bundle rendered at `versions`: those of its
 * files atPlaceholderVersions, hashed without making them.
 */
export function bundleHashes(bundle: { readonly files: readonly BundleFile[]; readonly identity: ClusterStackIdentity; readonly versions: ClusterStackVersions }): ComponentHashes {
  return componentHashes(bundle.files, bundle.identity.kubernetes.toString(), placeholderRename(bundle.identity, bundle.versions));
}

/** One short hash over all components, for `v0-sha.<hash>` development versions. */
export function combinedHash(hashes: ComponentHashes): string {
  return sha256Hex(COMPONENTS.map((c) => `${c}=${hashes[c]}`).join('\n'));
}
