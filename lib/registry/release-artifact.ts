import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { bufferBlob, fileBlob, type BlobSource, type Descriptor } from './client.ts';
import { canonicalJsonBytes, type JsonValue } from '../bytes/json.ts';
import { parseSha256Sums } from '../bytes/sha256-sums.ts';
import { sha256Digest } from './digest.ts';
import { Annotations, EMPTY_DESCRIPTOR, EMPTY_JSON, MediaTypes } from './media-types.ts';
import { printable } from './printable.ts';
import { parseReleaseTag, type ReleaseTag } from './release-tag.ts';

/**
 * Provenance recorded in the manifest. Neither comes from the clock, so the
 * same release folder gives the same manifest bytes (and digest) every time.
 */
export interface Provenance {
  /**
   * `org.opencontainers.image.created`, RFC 3339. The CLI takes it from
   * SOURCE_DATE_EPOCH when set (reproducible-builds.org convention), else
   * the Unix epoch.
   * @default '1970-01-01T00:00:00Z'
   */
  readonly created?: string;
  /** `org.opencontainers.image.revision`: the source commit. @default - omitted */
  readonly revision?: string;
}

export const EPOCH = '1970-01-01T00:00:00Z';

/** One file of a release folder as a manifest layer. */
export interface ReleaseLayer extends Descriptor {
  /** The file name, also the layer's `org.opencontainers.image.title`. */
  readonly name: string;
  readonly path: string;
  readonly blob: BlobSource;
}

/** A release folder as an OCI artifact, ready to push. */
export interface ReleaseArtifact {
  readonly dir: string;
  readonly release: ReleaseTag;
  /** Layers in manifest order: by file name (byte order). */
  readonly layers: readonly ReleaseLayer[];
  /** The config blob: the OCI empty JSON `{}`. */
  readonly config: BlobSource;
  /** The manifest in canonical JSON, and its digest. */
  readonly manifest: Buffer;
  readonly digest: string;
  /** The cluster-class chart file (for --helm-chart). */
  readonly clusterClassChart: string;
}

/**
 * The csctl media type of a release file, by name as csctl's getMediaType
 * decides it (plus SHA256SUMS, which csctl does not write); undefined for a
 * file that does not belong in a release.
 */
export function releaseMediaType(fileName: string): string | undefined {
  switch (fileName) {
    case 'clusteraddon.yaml':
      return MediaTypes.clusterAddonConfig;
    case 'metadata.yaml':
      return MediaTypes.metadata;
    case 'node-images.yaml':
      return MediaTypes.nodeImageConfig;
    case 'hashes.json':
      return MediaTypes.hashes;
    case 'SHA256SUMS':
      return MediaTypes.checksums;
  }
  if (fileName.endsWith('.tgz')) {
    if (fileName.includes('cluster-addon')) return MediaTypes.clusterAddon;
    if (fileName.includes('cluster-class')) return MediaTypes.clusterClass;
    if (fileName.includes('node-image')) return MediaTypes.nodeImage;
  }
  return undefined;
}

/**
 * Reads and checks a release folder `release/<tag>/` and builds its
 * manifest: an OCI image manifest with artifactType
 * `application/vnd.scs.cluster-stacks.v1`, the empty config, one layer per
 * file sorted by name with csctl's media types and the file name as
 * `org.opencontainers.image.title`, and the annotations `kubernetesVersion`
 * and `hash` (as csctl writes them) plus `org.opencontainers.image.{created,
 * revision,version}`.
 *
 * Refuses, naming the folder and file: a folder name that is not a release
 * tag, sub-folders, links and unknown files, a missing required file, a
 * metadata.yaml whose version does not match the folder name, and files
 * that do not match SHA256SUMS.
 */
export async function readReleaseArtifact(dir: string, provenance: Provenance = {}): Promise<ReleaseArtifact> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${dir}: no such release folder`);
  const tag = basename(root);
  const release = parseReleaseTag(tag);
  if (!release) throw new Error(`${dir}: folder name '${tag}' is not a release tag <provider>-<stack>-<major>-<minor>-<version> (e.g. openstack-scs-1-34-v1)`);

  const names = readdirSync(root).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const unknown: string[] = [];
  for (const name of names) {
    const st = lstatSync(join(root, name));
    if (!st.isFile()) throw new Error(`${join(dir, name)}: a release folder holds regular files only (found a ${st.isDirectory() ? 'folder' : st.isSymbolicLink() ? 'symbolic link' : 'special file'})`);
    if (!releaseMediaType(name)) unknown.push(name);
  }
  if (unknown.length > 0) throw new Error(`${dir}: not release files: ${unknown.join(', ')} (a release holds metadata.yaml, hashes.json, clusteraddon.yaml, node-images.yaml, SHA256SUMS and *-cluster-class-*.tgz, *-cluster-addon-*.tgz, *node-image*.tgz archives)`);

  const version = release.version.toString();
  const chart = releaseChartName(release);
  const missing = releaseFileSetProblem(names, release);
  if (missing) throw new Error(`${dir}: ${missing}`);

  const metadata = readReleaseMetadata(join(dir, 'metadata.yaml'), release, 'the folder name');
  const hash = readStackHash(join(dir, 'hashes.json'));

  const layers: ReleaseLayer[] = [];
  for (const name of names) {
    const path = join(root, name);
    const blob = await fileBlob(path);
    layers.push({ name, path, blob, mediaType: releaseMediaType(name) as string, digest: blob.digest, size: blob.size, annotations: { [Annotations.title]: name } });
  }
  checkSums(dir, layers);

  const annotations: Record<string, string> = {
    [Annotations.kubernetesVersion]: metadata.kubernetes,
    [Annotations.hash]: hash.slice(0, 7),
    [Annotations.created]: provenance.created ?? EPOCH,
    [Annotations.version]: version,
    ...(provenance.revision ? { [Annotations.revision]: provenance.revision } : {}),
  };
  const manifest = canonicalJsonBytes({
    schemaVersion: 2,
    mediaType: MediaTypes.imageManifest,
    artifactType: MediaTypes.clusterStacksArtifact,
    config: { ...EMPTY_DESCRIPTOR },
    layers: layers.map((l) => descriptorJson(l)),
    annotations,
  });
  return { dir: root, release, layers, config: bufferBlob(EMPTY_JSON), manifest, digest: sha256Digest(manifest), clusterClassChart: join(root, chart) };
}

/** `<name>-cluster-class-<version>.tgz`: the chart archive of a release. */
function releaseChartName(release: ReleaseTag): string {
  return `${release.name}-cluster-class-${release.version.toString()}.tgz`;
}

/**
 * What is missing from the file names of a release (metadata.yaml,
 * hashes.json, clusteraddon.yaml, its cluster-class chart and exactly one
 * cluster-addon archive), or undefined when nothing is.
 */
export function releaseFileSetProblem(names: readonly string[], release: ReleaseTag): string | undefined {
  for (const required of ['metadata.yaml', 'hashes.json', 'clusteraddon.yaml', releaseChartName(release)]) {
    if (!names.includes(required)) return `${required} is missing`;
  }
  const addons = names.filter((n) => n.startsWith(`${release.name}-cluster-addon-`) && n.endsWith('.tgz'));
  if (addons.length !== 1) return `expected exactly one ${release.name}-cluster-addon-<version>.tgz, found ${addons.length === 0 ? 'none' : addons.join(', ')}`;
  return undefined;
}

/**
 * metadata.yaml of a release, checked against its tag: versions.clusterStack
 * is the tag's version and versions.kubernetes its Kubernetes minor.
 * @param source what names the release in messages ('the folder name', 'the tag')
 */
export function readReleaseMetadata(path: string, release: ReleaseTag, source: string): { clusterStack: string; kubernetes: string } {
  const metadata = readMetadata(path);
  const version = release.version.toString();
  if (metadata.clusterStack !== version) throw new Error(`${path}: versions.clusterStack is ${printable(metadata.clusterStack)}, but ${source} says ${version}`);
  const k8s = /^v?([0-9]+)\.([0-9]+)\.[0-9]+$/.exec(metadata.kubernetes);
  if (!k8s || Number(k8s[1]) !== release.major || Number(k8s[2]) !== release.minor) {
    throw new Error(`${path}: versions.kubernetes is '${printable(metadata.kubernetes)}', expected v${release.major}.${release.minor}.<patch> as ${source} says`);
  }
  return metadata;
}

export function descriptorJson(d: Descriptor): JsonValue {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size, ...(d.annotations ? { annotations: { ...d.annotations } } : {}) };
}

function readMetadata(path: string): { clusterStack: string; kubernetes: string } {
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid YAML: ${(e as Error).message}`);
  }
  const versions = (doc as { versions?: { clusterStack?: unknown; kubernetes?: unknown } } | null)?.versions;
  if (typeof versions?.clusterStack !== 'string' || typeof versions.kubernetes !== 'string') {
    throw new Error(`${path}: expected versions.clusterStack and versions.kubernetes strings`);
  }
  return { clusterStack: versions.clusterStack, kubernetes: versions.kubernetes };
}

export function readStackHash(path: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  const hash = (doc as { clusterStack?: unknown } | null)?.clusterStack;
  if (typeof hash !== 'string' || !/^[0-9a-f]{7,}$/.test(hash)) throw new Error(`${path}: 'clusterStack' must be a hex hash of at least 7 characters`);
  return hash;
}

/** Every file but SHA256SUMS is listed in it with its sha256, and nothing else is. */
function checkSums(dir: string, layers: readonly ReleaseLayer[]): void {
  const sums = layers.find((l) => l.name === 'SHA256SUMS');
  if (!sums) return;
  const listed = parseSha256Sums(readFileSync(sums.path, 'utf8'), join(dir, 'SHA256SUMS'));
  const problems: string[] = [];
  for (const l of layers) {
    if (l.name === 'SHA256SUMS') continue;
    const expected = listed.get(l.name);
    if (!expected) problems.push(`${l.name} is not listed`);
    else if (`sha256:${expected}` !== l.digest) problems.push(`${l.name} has ${l.digest}, SHA256SUMS says sha256:${expected}`);
  }
  for (const name of listed.keys()) if (!layers.some((l) => l.name === name)) problems.push(`${name} is listed but missing`);
  if (problems.length > 0) throw new Error(`${join(dir, 'SHA256SUMS')}: does not match the folder: ${problems.join('; ')}`);
}
