import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { unescapeGoTemplate } from '../../constructs/go-template.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { clusterStackName, type ClusterStackIdentity } from '../../constructs/names.ts';
import { sha256Hex } from '../bytes/sha256.ts';
import { parseSha256Sums } from '../bytes/sha256-sums.ts';
import { atPlaceholderVersions, combinedHash, hashFiles, type ComponentHashes } from './content-hash.ts';
import { DEFAULT_TGZ_LIMITS, readTgz } from '../bytes/tgz.ts';
import { readReleaseFolder } from './version-record.ts';
import type { PreviousRelease } from './versioning.ts';
import { loadYamlDocuments } from '../bytes/yaml-documents.ts';

/** A release folder whose files were checked against each other before anything in it was used. */
export interface VerifiedRelease {
  readonly dir: string;
  readonly identity: ClusterStackIdentity;
  /** Versions from metadata.yaml, hashes from hashes.json: what `release --from` bumps against. */
  readonly previous: PreviousRelease;
  /** The bundle layout of dist/ (path → text), as readReleaseTree returns it. */
  readonly tree: Map<string, string>;
}

const SUMS = 'SHA256SUMS';
const HASHES = 'hashes.json';

/**
 * Reads a release folder and verifies it before anything is used, so a
 * folder edited after it was released (by hand, or by someone who wants
 * `release --from` to write new content under a published tag) is refused
 * with an error naming the file:
 *
 * 1. the folder holds regular files only, each at most 100 MiB, and
 *    SHA256SUMS lists exactly them with their sha256;
 * 2. the archive names carry the versions metadata.yaml states, and the
 *    cluster-class chart's name and version match them;
 * 3. hashes.json is consistent in itself (csctl's fields are the ones the
 *    generator hashes give), names the Kubernetes version of metadata.yaml
 *    and the digests of every vendored chart in the addon archive;
 * 4. the content hashes hashes.json states are those of the content:
 *    the ClusterClass (with the version in its names set back to the
 *    placeholder the hashes are computed with), the addon charts and hook
 *    stages, the node images.
 *
 * Without a signature this proves consistency, not origin: whoever can
 * rewrite every file consistently can still forge a release.
 */
export async function readVerifiedRelease(dir: string): Promise<VerifiedRelease> {
  return readRelease(dir, true);
}

/**
 * The same reading without the consistency checks (1, 3 and 4 above): only
 * for release folders a test edits by hand to model a layout, which is what
 * the operator itself loads without checking. Never for a release that came
 * from elsewhere.
 */
export async function readEditedReleaseTree(dir: string): Promise<Map<string, string>> {
  return (await readRelease(dir, false)).tree;
}

async function readRelease(dir: string, verify: boolean): Promise<VerifiedRelease> {
  let names: string[];
  try {
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) throw new Error(`${dir}: not a release folder (it is a file)`);
    names = readdirSync(dir).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${dir}: no such release folder`);
    throw e;
  }

  // 1. SHA256SUMS against the files, before any of them is parsed.
  for (const name of names) {
    const stat = lstatSync(join(dir, name));
    if (!stat.isFile()) throw new Error(`${join(dir, name)}: a release folder holds regular files only; this is a ${stat.isDirectory() ? 'folder' : stat.isSymbolicLink() ? 'symbolic link' : 'special file'}`);
    if (stat.size > DEFAULT_TGZ_LIMITS.maxUnpackedBytes) throw new Error(`${join(dir, name)}: ${stat.size} bytes, larger than any file of a release (limit ${DEFAULT_TGZ_LIMITS.maxUnpackedBytes / 1024 / 1024} MiB)`);
  }
  if (verify && !names.includes(SUMS)) throw new Error(`${dir}: ${SUMS} is missing, so the release cannot be verified`);
  const sumsPath = join(dir, SUMS);
  const listed = verify ? parseSha256Sums(readFileSync(sumsPath, 'utf8'), sumsPath) : new Map<string, string>();
  const contents = new Map<string, Buffer>();
  for (const name of names) {
    if (name === SUMS) continue;
    if (!verify) {
      contents.set(name, readFileSync(join(dir, name)));
      continue;
    }
    const expected = listed.get(name);
    if (!expected) throw new Error(`${join(dir, name)}: not listed in ${sumsPath}; a release folder holds only the files it lists`);
    const content = readFileSync(join(dir, name));
    if (sha256Hex(content) !== expected) {
      throw new Error(`${join(dir, name)}: does not match its sha256 in ${sumsPath}; the file was changed after the release was written`);
    }
    contents.set(name, content);
  }
  for (const name of listed.keys()) if (!contents.has(name)) throw new Error(`${sumsPath}: lists ${name}, which is missing`);

  // 2. Versions: metadata.yaml against the archive names and the chart.
  const previous = readReleaseFolder(dir);
  const metadataPath = join(dir, BundleFiles.metadata);
  const v = previous.versions;
  const kubernetesText = (yaml.load((contents.get(BundleFiles.metadata) as Buffer).toString('utf8')) as { versions?: { kubernetes?: unknown } }).versions?.kubernetes;
  let kubernetes: KubernetesVersion;
  try {
    kubernetes = KubernetesVersion.parse(String(kubernetesText).replace(/^v/, ''));
  } catch (e) {
    throw new Error(`${metadataPath}: 'versions.kubernetes': ${(e as Error).message}`);
  }
  const find = (pattern: RegExp, what: string): string => {
    const matches = names.filter((n) => pattern.test(n));
    if (matches.length !== 1) throw new Error(`${dir}: expected exactly one ${what}, found ${matches.length === 0 ? 'none' : matches.join(', ')}`);
    return matches[0] as string;
  };
  const chartFile = find(/-cluster-class-v[^/]*\.tgz$/, 'cluster-class chart (*-cluster-class-<version>.tgz)');
  const addonFile = find(/-cluster-addon-v[^/]*\.tgz$/, 'cluster-addon archive (*-cluster-addon-<version>.tgz)');
  const m = /^([a-z][a-z0-9]*)-([a-z][a-z0-9]*)-([0-9]+)-([0-9]+)-cluster-class-/.exec(chartFile);
  if (!m) throw new Error(`${join(dir, chartFile)}: not named <provider>-<stack>-<major>-<minor>-cluster-class-<version>.tgz`);
  const identity: ClusterStackIdentity = { provider: m[1] as string, stack: m[2] as string, kubernetes };
  const name = clusterStackName(identity);
  if (!chartFile.startsWith(`${name}-`)) throw new Error(`${metadataPath}: says Kubernetes ${kubernetes.toString()}, but the chart is ${chartFile}`);
  const expectChart = `${name}-cluster-class-${v.clusterStack.toString()}.tgz`;
  if (chartFile !== expectChart) throw new Error(`${metadataPath}: says clusterStack ${v.clusterStack.toString()}, but the cluster-class chart is ${chartFile} (expected ${expectChart})`);
  const expectAddon = `${name}-cluster-addon-${v.clusterAddon.toString()}.tgz`;
  if (addonFile !== expectAddon) throw new Error(`${metadataPath}: says clusterAddon ${v.clusterAddon.toString()}, but the cluster-addon archive is ${addonFile} (expected ${expectAddon})`);

  const tree = new Map<string, string>();
  const chartPath = join(dir, chartFile);
  const chart = await readTgz(contents.get(chartFile) as Buffer, chartPath);
  const chartName = `${name}-cluster-class`;
  const chartYaml = chart.get(`${chartName}/Chart.yaml`);
  const template = chart.get(`${chartName}/templates/cluster-class.yaml`);
  if (!chartYaml || !template || chart.size !== 2) throw new Error(`${chartPath}: expected ${chartName}/Chart.yaml and ${chartName}/templates/cluster-class.yaml in the chart, found ${[...chart.keys()].join(', ')}`);
  const chartMeta = yaml.load(chartYaml.toString('utf8')) as { name?: unknown; version?: unknown } | null;
  if (chartMeta?.name !== chartName || chartMeta?.version !== v.clusterStack.toString()) {
    throw new Error(`${chartPath}: Chart.yaml says ${String(chartMeta?.name)} ${String(chartMeta?.version)}, but metadata.yaml says ${chartName} ${v.clusterStack.toString()}`);
  }
  tree.set(BundleFiles.clusterClass, unescapeGoTemplate(template.toString('utf8')));

  const addonPath = join(dir, addonFile);
  const addons = await readTgz(contents.get(addonFile) as Buffer, addonPath);
  for (const [path, content] of addons) tree.set(`${BundleFiles.clusterAddonDir}/${path}`, content.toString('utf8'));

  const nodeImageArchives = names.filter((n) => /-node-image-v[^/]*\.tgz$/.test(n));
  if (nodeImageArchives.length > 1) throw new Error(`${dir}: expected at most one node image archive (*-node-image-<version>.tgz), found ${nodeImageArchives.join(', ')}`);
  for (const archive of nodeImageArchives) {
    const expectArchive = `${name}-node-image-${v.nodeImage.toString()}.tgz`;
    if (archive !== expectArchive) throw new Error(`${metadataPath}: says nodeImage ${v.nodeImage.toString()}, but the node image archive is ${archive} (expected ${expectArchive})`);
    const files = await readTgz(contents.get(archive) as Buffer, join(dir, archive));
    for (const [path, content] of files) tree.set(`${BundleFiles.nodeImageDir}/${path}`, content.toString('utf8'));
  }

  for (const plain of [BundleFiles.clusterAddonConfig, BundleFiles.metadata, BundleFiles.nodeImages]) {
    const content = contents.get(plain);
    if (!content) {
      if (plain === BundleFiles.nodeImages) continue;
      throw new Error(`${dir}: ${plain} is missing`);
    }
    const text = content.toString('utf8');
    loadYamlDocuments(text, join(dir, plain));
    tree.set(plain, text);
  }
  if (!verify) return { dir, identity, previous, tree };

  // 3. hashes.json in itself and against metadata.yaml and the vendored charts.
  const hashesPath = join(dir, HASHES);
  const h = previous.hashes;
  const doc = JSON.parse((contents.get(HASHES) as Buffer).toString('utf8')) as { clusterStack?: unknown; clusterAddonDir?: unknown; nodeImageDir?: unknown; vendoredCharts?: unknown };
  if (doc.clusterStack !== combinedHash(h) || doc.clusterAddonDir !== h.clusterAddon || doc.nodeImageDir !== h.nodeImage) {
    throw new Error(`${hashesPath}: clusterStack, clusterAddonDir and nodeImageDir do not agree with the generator hashes in the same file`);
  }
  if (h.kubernetes !== kubernetes.toString()) throw new Error(`${hashesPath}: names Kubernetes ${h.kubernetes}, but metadata.yaml says ${kubernetes.toString()}`);
  const vendored = new Map(Object.entries(doc.vendoredCharts !== null && typeof doc.vendoredCharts === 'object' ? (doc.vendoredCharts as Record<string, unknown>) : {}));
  const inArchive = [...addons.keys()].filter((p) => /^[^/]+\/charts\/[^/]+\.tgz$/.test(p));
  for (const path of inArchive) {
    const digest = `sha256:${createHash('sha256').update(addons.get(path) as Buffer).digest('hex')}`;
    if (vendored.get(path) !== digest) throw new Error(`${addonPath}: vendored chart ${path} has ${digest}, but ${HASHES} says ${String(vendored.get(path) ?? 'nothing')}`);
  }
  for (const path of vendored.keys()) if (!addons.has(path)) throw new Error(`${hashesPath}: lists vendored chart ${path}, which ${addonFile} does not hold`);

  // 4. The content hashes against the content.
  const asFiles = (test: (p: string) => boolean) => [...tree].filter(([p]) => test(p)).map(([path, content]) => ({ path, content }));
  const recomputed: ComponentHashes = {
    clusterClass: hashFiles(atPlaceholderVersions(asFiles((p) => p === BundleFiles.clusterClass), identity, v)),
    clusterAddon: hashFiles(asFiles((p) => p === BundleFiles.clusterAddonConfig || (p.startsWith(`${BundleFiles.clusterAddonDir}/`) && !inArchive.includes(p.slice(BundleFiles.clusterAddonDir.length + 1))))),
    nodeImage: hashFiles(asFiles((p) => p === BundleFiles.nodeImages || p.startsWith(`${BundleFiles.nodeImageDir}/`))),
    kubernetes: kubernetes.toString(),
  };
  const where: Record<keyof ComponentHashes, string> = { clusterClass: chartFile, clusterAddon: `${addonFile} and ${BundleFiles.clusterAddonConfig}`, nodeImage: [BundleFiles.nodeImages, ...nodeImageArchives].join(' and '), kubernetes: BundleFiles.metadata };
  for (const c of Object.keys(where) as (keyof ComponentHashes)[]) {
    if (recomputed[c] !== h[c]) throw new Error(`${hashesPath}: the ${c} hash does not match the content of ${where[c]}; the release was changed after it was written`);
  }
  return { dir, identity, previous, tree };
}

/**
 * Reads a release folder back into the bundle layout of dist/ (path →
 * text): the ClusterClass from the cluster-class chart's template (with the
 * Helm escaping undone), the addon folders from the cluster-addon archive,
 * and the plain files — after readVerifiedRelease has checked every file
 * against the others. A tampered or damaged release is an error naming the
 * file.
 */
export async function readReleaseTree(dir: string): Promise<Map<string, string>> {
  return (await readVerifiedRelease(dir)).tree;
}
