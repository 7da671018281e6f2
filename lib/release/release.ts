import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClusterStackVersions } from '../../constructs/metadata.ts';
import { clusterStackName, type ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { StackVersion } from '../../constructs/stack-version.ts';
import type { TreeFile } from '../bytes/atomic-write.ts';
import { sha256Hex } from '../bytes/sha256.ts';
import { bundleTree, INITIAL_VERSIONS, synthesize, type Bundle } from '../pipeline/synth.ts';
import { retarget, retargetForComparison } from '../pipeline/retarget.ts';
import { CrdSchemaRegistry } from '../pipeline/crd-schema.ts';
import { validateBundles } from '../pipeline/validate.ts';
import { bundleHashes, componentHashes, PLACEHOLDER_VERSIONS, type ComponentHashes } from './content-hash.ts';
import { releaseArchives, releaseFiles } from './release-assets.ts';
import { boundedMap } from '../async/bounded-map.ts';
import type { Compression } from '../bytes/tgz.ts';
import type { ChartSource } from './vendor.ts';
import { readVerifiedRelease } from './release-reader.ts';
import { recordPath, renderRecord, VersionRecords } from './version-record.ts';
import { decideVersions, type PreviousRelease, type VersionDecision, type VersionMode } from './versioning.ts';
import type { UpgradeCheck } from './upgrade-check.ts';
import { checkReleaseUpgrades, gateUpgrades, type AllowedBreaking } from './upgrade-paths.ts';

export interface ReleaseOptions {
  /** Project root (holds stacks/ and their version records). */
  readonly root: string;
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  readonly mode: VersionMode;
  /**
   * Previous state from release folders instead of the committed records: a
   * release folder, or a folder of release folders named by tag.
   * @default - the version records
   */
  readonly from?: string;
  /** Only these stacks × minors. @default all */
  readonly filter?: (id: ClusterStackIdentity) => boolean;
  /** Vendor addon dependencies into the addon charts' charts/ from this source. @default - not vendored: charts name repository and version */
  readonly vendor?: ChartSource;
  /** Custom mode: the records and dist/ follow the custom versions too. @default false (stable mode always records, hash mode never) */
  readonly record?: boolean;
  /** Release even though an upgrade path breaks, for this reason (recorded). @default - a breaking path fails the release */
  readonly allowBreaking?: string;
  /** The CRD schemas to validate against, loaded once by a caller that plans in batches. @default - loaded from the pinned CRDs */
  readonly registry?: CrdSchemaRegistry;
  /**
   * Where the archives are compressed: 'calling-thread' when every core
   * already runs a thread planning a share of the release (lib/bytes/tgz.ts).
   * @default 'thread-pool', while this thread validates and checks upgrades
   */
  readonly compression?: Compression;
}

export interface ReleaseEntry {
  readonly bundle: Bundle;
  readonly hashes: ComponentHashes;
  readonly previous: PreviousRelease | undefined;
  readonly decision: VersionDecision;
  /** Files of `release/<tag>/`. */
  readonly files: readonly TreeFile[];
  /** Set when an upgrade path into this version breaks and --allow-breaking let it through. */
  readonly allowedBreaking?: AllowedBreaking;
}

export interface ReleasePlan {
  readonly entries: readonly ReleaseEntry[];
  /** Version records to write (stable mode, custom mode with `record`), paths relative to the root. */
  readonly records: readonly TreeFile[];
  /** Whether dist/ and the records follow this release: stable mode, or custom mode with `record`. */
  readonly updatesSources: boolean;
  /** The upgrade paths into every new version and what the fast check found on each. */
  readonly upgrades: readonly UpgradeCheck[];
}

/**
 * Content hashes of every stack × minor, from a synthesis with placeholder
 * versions: the definition of the hashes, which the commands get from one
 * synthesis at real versions through bundleHashes (the tests hold the two
 * equal).
 */
export function currentHashes(definitions: readonly ClusterStackDefinition<StackVersionsRow>[], filter?: (id: ClusterStackIdentity) => boolean): Map<string, ComponentHashes> {
  const bundles = synthesize(definitions, { versionsFor: () => PLACEHOLDER_VERSIONS, ...(filter ? { filter } : {}) });
  return new Map(bundles.map((b) => [clusterStackName(b.identity), componentHashes(b.files, b.identity.kubernetes.toString())]));
}

/** Bundles whose archives are being compressed at once: as many as libuv's thread pool runs (four by default), and no more tars held. */
const ARCHIVES_IN_FLIGHT = 4;

const sameVersions = (a: ClusterStackVersions, b: ClusterStackVersions): boolean =>
  a.clusterStack.equals(b.clusterStack) && a.clusterAddon.equals(b.clusterAddon) && a.nodeImage.equals(b.nodeImage);

/**
 * The versions hash mode first synthesizes a bundle at: a development
 * version of the shape every hash version has, so that the decided one is a
 * rename away (lib/pipeline/retarget.ts). Stable and custom mode synthesize
 * at a bundle's previous versions, which it keeps when its content did not
 * change.
 */
const HASH_SHAPED: ClusterStackVersions = (() => {
  const v = StackVersion.prerelease(0, 'sha', '0000000');
  return { clusterStack: v, clusterAddon: v, nodeImage: v };
})();

/**
 * Decides the versions of every stack × minor and renders the release
 * folders, records and dist/ bundles, without writing anything.
 *
 * Each bundle is synthesized once, and again at the versions decided for
 * it if they are new. In hash mode the second synthesis is a rename
 * (lib/pipeline/retarget.ts) wherever a rename gives the same bundle.
 */
export async function planRelease(options: ReleaseOptions): Promise<ReleasePlan> {
  const fromReleases = options.from ? await readPreviousReleases(options.from) : undefined;
  // A stack × minor the release folders do not hold falls back to its
  // record, so its versions never go backwards.
  const recorded = new VersionRecords(options.root);
  const previousOf = (id: ClusterStackIdentity) => fromReleases?.get(clusterStackName(id)) ?? recorded.get(id);
  const recordedVersions = (id: ClusterStackIdentity): ClusterStackVersions => previousOf(id)?.versions ?? INITIAL_VERSIONS;
  const previous = new Map<string, PreviousRelease | undefined>();
  if (options.record && options.mode.kind !== 'custom') throw new Error(`'record' is for custom mode only: stable mode always writes the version records, hash mode never does`);
  const updatesSources = options.mode.kind === 'stable' || (options.mode.kind === 'custom' && options.record === true);
  // dist/'s GitOps files are in no release folder: built only for a release that writes dist/.
  const gitops = updatesSources;
  const first = synthesize(options.definitions, {
    gitops,
    ...(options.filter ? { filter: options.filter } : {}),
    versionsFor: (id) => {
      const p = previousOf(id);
      previous.set(clusterStackName(id), p);
      return options.mode.kind === 'hash' ? HASH_SHAPED : (p?.versions ?? INITIAL_VERSIONS);
    },
  });
  const hashes = new Map(first.map((b) => [clusterStackName(b.identity), bundleHashes(b)]));
  const decisions = new Map<string, { previous: PreviousRelease | undefined; decision: VersionDecision }>();
  for (const b of first) {
    const name = clusterStackName(b.identity);
    const current = hashes.get(name) as ComponentHashes;
    // A development build's tag is its content hash; vendored chart
    // archives are content too, so a vendored and an unvendored build of
    // the same stack never share a tag.
    const decision = decideVersions(options.mode.kind === 'hash' && options.vendor ? vendoredContent(current) : current, previous.get(name), options.mode);
    decisions.set(name, { previous: previous.get(name), decision });
  }
  const decided = (id: ClusterStackIdentity) => (decisions.get(clusterStackName(id)) as { decision: VersionDecision }).decision.versions;
  // Development builds are renamed; a stable or custom version, which is
  // published under a tag that never changes, is built at its versions.
  const renamed = new Map<string, Bundle>();
  for (const b of options.mode.kind === 'hash' ? first : []) {
    const r = retarget(b, decided(b.identity));
    if (r) renamed.set(clusterStackName(b.identity), r);
  }
  const again = new Set(first.filter((b) => !sameVersions(b.versions, decided(b.identity)) && !renamed.has(clusterStackName(b.identity))).map((b) => clusterStackName(b.identity)));
  const second = again.size === 0 ? [] : synthesize(options.definitions, { gitops, filter: (id) => again.has(clusterStackName(id)), versionsFor: decided });
  for (const b of second) renamed.set(clusterStackName(b.identity), b);
  const bundles = first.map((b) => renamed.get(clusterStackName(b.identity)) ?? b);
  // Compressed on libuv's threads while this one validates and checks the
  // upgrades, a few bundles at a time (each holds a tar and a deflate state
  // until it is done); vendoring fetches charts, so it waits until the
  // bundles pass, and compression on this thread waits as well, one bundle
  // at a time.
  const compression = options.compression ?? 'thread-pool';
  const early = options.vendor || compression === 'calling-thread' ? undefined : boundedMap(bundles, ARCHIVES_IN_FLIGHT, (b) => releaseArchives(b));
  // Awaited below; one that fails before then must not also surface as an unhandled rejection.
  for (const p of early ?? []) p.catch(() => undefined);
  const problems = validateBundles(bundles, options.registry ?? CrdSchemaRegistry.load());
  if (problems.length > 0) throw new Error(`${problems.length} schema violation(s):\n  ${problems.join('\n  ')}`);

  const upgrades = await checkReleaseUpgrades(
    bundles.map((b) => ({ bundle: b, isNewVersion: decisions.get(clusterStackName(b.identity))?.decision.isNewVersion ?? true })),
    { root: options.root, atRecordedVersions: atRecordedVersions(first, options.definitions, recordedVersions), ...(options.from ? { fromReleases: await previousReleaseFolders(options.from) } : {}) },
  );
  const allowed = gateUpgrades(upgrades, options.allowBreaking);

  const entries: ReleaseEntry[] = [];
  for (const [i, bundle] of bundles.entries()) {
    const name = clusterStackName(bundle.identity);
    const h = hashes.get(name) as ComponentHashes;
    const { previous, decision } = decisions.get(name) as { previous: PreviousRelease | undefined; decision: VersionDecision };
    const allowedBreaking = allowed.get(bundle.path);
    const archives = await (early?.[i] ?? releaseArchives(bundle, options.vendor, compression));
    entries.push({ bundle, hashes: h, previous, decision, files: releaseFiles(bundle, h, archives, allowedBreaking), ...(allowedBreaking ? { allowedBreaking } : {}) });
  }
  const records = updatesSources ? entries.map((e) => ({ path: recordPath(e.bundle.identity), content: renderRecord(e.decision.versions, e.hashes, e.allowedBreaking) })) : [];
  return { entries, records, updatesSources, upgrades };
}

/**
 * Each bundle at the versions of its record, by path, for the previous side
 * of its upgrade paths, which reads the model only where dist/ holds exactly
 * its bytes (lib/release/upgrade-side.ts). A bundle of the first synthesis
 * is at those versions already, or is renamed to them; a bundle a filter
 * left out (the previous minor of a filtered bundle) is synthesized, which
 * costs less than parsing its YAML in dist/.
 */
function atRecordedVersions(first: readonly Bundle[], definitions: readonly ClusterStackDefinition<StackVersionsRow>[], versionsFor: (id: ClusterStackIdentity) => ClusterStackVersions): (path: string) => Bundle | undefined {
  const firstByPath = new Map(first.map((b) => [b.path, b]));
  const byPath = new Map<string, Bundle | undefined>();
  return (path) => {
    if (!byPath.has(path)) {
      const synthesized = firstByPath.get(path);
      let bundle: Bundle | undefined;
      if (synthesized) {
        const versions = versionsFor(synthesized.identity);
        bundle = sameVersions(synthesized.versions, versions) ? synthesized : retargetForComparison(synthesized, versions);
      }
      const [provider, stack, minor] = path.split('/');
      if (!bundle && definitions.some((d) => d.provider === provider && d.stack === stack)) {
        try {
          [bundle] = synthesize(definitions, { gitops: false, filter: (id) => id.provider === provider && id.stack === stack && id.kubernetes.minorSlug === minor, versionsFor });
        } catch {
          // Only a shortcut: a bundle outside the release that does not build is read from dist/.
          bundle = undefined;
        }
      }
      byPath.set(path, bundle);
    }
    return byPath.get(path);
  };
}

/** The hashes a vendored development build is tagged by: the addon content includes the vendored archives. */
function vendoredContent(h: ComponentHashes): ComponentHashes {
  return { ...h, clusterAddon: sha256Hex(`${h.clusterAddon}\nvendored dependency archives\n`) };
}

/** The release/ tree of a plan: `<tag>/<file>`. */
export function releaseTree(plan: ReleasePlan): TreeFile[] {
  return bundleTree(plan.entries.map((e) => ({ path: e.bundle.releaseTag, files: e.files })));
}

/** The release folders below `dir` (or `dir` itself), newest stable per bundle: `<provider>/<stack>/<major>-<minor>` → folder. */
async function previousReleaseFolders(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [key, release] of await readPreviousReleases(dir)) {
    const m = /^([a-z][a-z0-9]*)-([a-z][a-z0-9]*)-([0-9]+-[0-9]+)$/.exec(key);
    if (m) out.set(`${m[1]}/${m[2]}/${m[3]}`, release.source);
  }
  return out;
}

/**
 * Previous releases from a folder: the folder itself if it is a release
 * folder, else every sub-folder that is one. Each is verified
 * (readVerifiedRelease: SHA256SUMS, hashes.json and the archives against
 * each other) before it is used. Per stack × minor the highest stable
 * version wins.
 */
async function readPreviousReleases(dir: string): Promise<Map<string, PreviousRelease>> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${dir}: not a folder`);
  const candidates = existsSync(join(root, 'metadata.yaml'))
    ? [root]
    : readdirSync(root).map((e) => join(root, e)).filter((p) => statSync(p).isDirectory() && existsSync(join(p, 'metadata.yaml')));
  if (candidates.length === 0) throw new Error(`${dir}: holds no release folder (a folder with metadata.yaml and hashes.json)`);
  const out = new Map<string, PreviousRelease>();
  for (const path of candidates.sort()) {
    const tag = path.split('/').pop() as string;
    const m = /^([a-z][a-z0-9]*)-([a-z][a-z0-9]*)-([0-9]+)-([0-9]+)-(v.*)$/.exec(tag);
    if (!m) throw new Error(`${path}: folder name '${tag}' is not a release tag <provider>-<stack>-<major>-<minor>-<version>`);
    const verified = await readVerifiedRelease(path);
    const release = verified.previous;
    if (`${clusterStackName(verified.identity)}-${m[5]}` !== tag) throw new Error(`${path}: folder name '${tag}' does not name the release it holds (${clusterStackName(verified.identity)}-${release.versions.clusterStack.toTag()})`);
    let tagVersion: StackVersion;
    try {
      tagVersion = StackVersion.parseTag(m[5]);
    } catch (e) {
      throw new Error(`${path}: folder name '${tag}' has an invalid version: ${(e as Error).message}`);
    }
    if (!tagVersion.equals(release.versions.clusterStack)) {
      throw new Error(`${path}: folder name says ${tagVersion.toString()} but metadata.yaml says ${release.versions.clusterStack.toString()}`);
    }
    const key = `${m[1]}-${m[2]}-${m[3]}-${m[4]}`;
    const seen = out.get(key);
    if (!seen || (release.versions.clusterStack.isStable && (!seen.versions.clusterStack.isStable || release.versions.clusterStack.major > seen.versions.clusterStack.major))) {
      out.set(key, release);
    }
  }
  return out;
}
