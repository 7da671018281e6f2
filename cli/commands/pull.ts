import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { RegistryClient, type Descriptor } from '../../lib/registry/client.ts';
import { isSha256Digest } from '../../lib/registry/digest.ts';
import { Annotations, EMPTY_DESCRIPTOR, MediaTypes } from '../../lib/registry/media-types.ts';
import { printable } from '../../lib/registry/printable.ts';
import { assertRepository, assertTag, formatReference, parseRegistryHost } from '../../lib/registry/reference.ts';
import { sha256Hex } from '../../lib/bytes/sha256.ts';
import { parseSha256Sums } from '../../lib/bytes/sha256-sums.ts';
import { readReleaseMetadata, readStackHash, releaseFileSetProblem, releaseMediaType } from '../../lib/registry/release-artifact.ts';
import { parseReleaseTag, type ReleaseTag } from '../../lib/registry/release-tag.ts';
import { describeFsError, OutputFolderError } from '../../lib/bytes/atomic-write.ts';
import type { SignatureVerifier } from '../../lib/signing/keys.ts';
import { verifyArtifactSignature, type VerifiedSignature } from '../../lib/signing/verify.ts';
import { registryClientFor, type RegistryTarget } from './publish.ts';

/** Largest archive layer (`*.tgz`) a release may have: the shipped ones are tens of kB. */
export const MAX_RELEASE_ARCHIVE_BYTES = 64 * 1024 * 1024;
/** Largest other file (metadata.yaml, hashes.json, clusteraddon.yaml, SHA256SUMS, node-images.yaml). */
export const MAX_RELEASE_TEXT_BYTES = 1024 * 1024;
/** Largest release, all layers together. */
export const MAX_RELEASE_BYTES = 256 * 1024 * 1024;

export interface PullCommandOptions extends RegistryTarget {
  readonly tag: string;
  /** The release is written to `<outputDir>/<tag>/`. */
  readonly outputDir: string;
  /** Replace an existing `<outputDir>/<tag>/`. @default false */
  readonly force?: boolean;
  /** Refuse the release, before writing anything, unless it carries a cosign signature by this key for the manifest pulled. @default - not verified */
  readonly verifier?: SignatureVerifier;
}

export interface PullSummary {
  readonly reference: string;
  readonly digest: string;
  /** The artifact type, if the manifest has one (`application/vnd.scs.cluster-stacks.v1` for releases). */
  readonly artifactType: string | undefined;
  readonly dir: string;
  readonly files: readonly { readonly name: string; readonly mediaType: string; readonly digest: string; readonly size: number }[];
  /** Set when a verifier was given (the pull fails otherwise). */
  readonly signature?: VerifiedSignature;
}

/**
 * Downloads a release artifact into `<outputDir>/<tag>/`, one file per
 * layer named by its `org.opencontainers.image.title` — what the operator's
 * oras file store does — but only what is verifiably a cluster stack
 * release. Before anything is downloaded or written, the manifest must be
 * one (`parseReleaseManifest`: artifact type, empty config, each file a
 * release file with its documented media type, the files a release must
 * have, sizes within the caps). After the download, every blob's size and
 * digest have been checked, SHA256SUMS must list every file with its sum,
 * and metadata.yaml and hashes.json must agree with the tag. Files are
 * written into a temporary sibling folder that is renamed into place at the
 * end; on any failure nothing is left behind (not even an output folder
 * this command created).
 */
export async function pullCommand(options: PullCommandOptions): Promise<PullSummary> {
  const registry = parseRegistryHost(options.registry);
  assertRepository(options.repository);
  assertTag(options.tag);
  const release = parseReleaseTag(options.tag);
  if (!release) throw new Error(`tag '${options.tag}' is not a release tag <provider>-<stack>-<major>-<minor>-<version> (e.g. openstack-scs-1-34-v1); pull fetches cluster stack releases only`);
  const outputDir = resolve(options.outputDir);
  const target = join(outputDir, options.tag);
  const existing = checkPullTarget(outputDir, target, options.force ?? false);
  const reference = formatReference(registry, options.repository, options.tag);
  const client = registryClientFor(registry, options);

  const manifest = await client.getManifest(options.repository, options.tag, [MediaTypes.imageManifest]);
  const { layers, artifactType } = parseReleaseManifest(manifest.bytes, manifest.mediaType, reference, release);
  for (const l of layers) {
    if (Buffer.byteLength(l.title) > MAX_NAME_BYTES) throw new Error(`${reference}: layer title '${l.title.slice(0, 40)}…' has ${Buffer.byteLength(l.title)} bytes, too long for a file name (at most ${MAX_NAME_BYTES})`);
  }
  // The digest of the bytes just read: every blob below is checked against them.
  const signature = options.verifier ? await verifyArtifactSignature(client, options.repository, manifest.digest, options.verifier, reference) : undefined;

  let staging = '';
  let created: string | undefined;
  try {
    created = mkdirSync(outputDir, { recursive: true });
    // mkdir, not mkdtemp: the folder gets the umask's mode (0755), not 0700.
    staging = join(outputDir, `.${options.tag}.tmp-${randomBytes(6).toString('hex')}`);
    mkdirSync(staging);
  } catch (e) {
    if (staging) rmSync(staging, { recursive: true, force: true });
    throw describeFsError(e, staging || outputDir);
  }
  try {
    for (const layer of layers) await download(client, options.repository, layer, join(staging, layer.title));
    checkDownloadedRelease(staging, layers.map((l) => l.title), reference, release);
    if (existing) {
      chmodSync(staging, existing.mode & 0o7777);
      const old = `${staging}.old`;
      renameSync(target, old);
      renameSync(staging, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(staging, target);
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (created !== undefined) removeEmptyFolders(outputDir, created);
    throw describeFsError(e, target);
  }
  return {
    reference,
    digest: manifest.digest,
    artifactType,
    dir: target,
    files: layers.map((l) => ({ name: l.title, mediaType: l.mediaType, digest: l.digest, size: l.size })),
    ...(signature ? { signature } : {}),
  };
}

/** Removes `dir` and its parents up to `top` (the first folder mkdir created), each only while empty. */
function removeEmptyFolders(dir: string, top: string): void {
  for (let d = dir; ; d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty (someone else's files): leave it
    }
    if (d === top || dirname(d) === d) return;
  }
}

/** Longest file name most file systems allow, in bytes. */
const MAX_NAME_BYTES = 255;

/**
 * pull owns only `<outputDir>/<tag>/`: the output folder must be a folder
 * (or not exist yet; a symbolic link to a folder is fine, as only a new
 * sub-folder is added to it), and an existing `<tag>/` is replaced only
 * with `force` and only when it is a release folder as pull writes it:
 * regular files, each listed in its SHA256SUMS. Returns the existing
 * folder's stat (its mode is kept), or undefined.
 */
function checkPullTarget(outputDir: string, target: string, force: boolean): Stats | undefined {
  if (Buffer.byteLength(basename(target)) + 24 > MAX_NAME_BYTES) throw new OutputFolderError(`${target}: name too long for the file system`);
  let dirStat: Stats | undefined;
  try {
    dirStat = statSync(outputDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw describeFsError(e, outputDir);
  }
  if (dirStat && !dirStat.isDirectory()) throw new OutputFolderError(`cannot write into ${outputDir}: it is a file, not a folder; choose another --output-dir`);
  let stat: Stats | undefined;
  try {
    stat = lstatSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw describeFsError(e, target);
  }
  if (!force) throw new OutputFolderError(`${target} already exists; pass --force to replace it`);
  if (stat.isSymbolicLink()) throw new OutputFolderError(`refusing to replace ${target}: it is a symbolic link, and links are not followed; remove it or choose another --output-dir`);
  if (!stat.isDirectory()) throw new OutputFolderError(`refusing to replace ${target}: it is a file, not a release folder; remove it or choose another --output-dir`);
  const foreign = foreignEntries(target);
  if (foreign.length > 0) {
    throw new OutputFolderError(`refusing to replace ${target} with --force: it is not a release folder as pull writes it (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); remove it or choose another --output-dir`);
  }
  return stat;
}

/** What in `dir` pull did not write: anything but regular files listed in its SHA256SUMS. */
function foreignEntries(dir: string): string[] {
  let listed: Map<string, string>;
  try {
    listed = parseSha256Sums(readFileSync(join(dir, 'SHA256SUMS'), 'utf8'), join(dir, 'SHA256SUMS'));
  } catch {
    return ['no valid SHA256SUMS'];
  }
  return readdirSync(dir).filter((name) => name !== 'SHA256SUMS' && (!listed.has(name) || !lstatSync(join(dir, name)).isFile())).map((n) => `${n} is not a file SHA256SUMS lists`);
}

interface TitledLayer extends Descriptor {
  readonly title: string;
}

/** A layer title that is a plain file name: what a release's file names are made of. */
const PLAIN_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * The layers of a cluster stack release manifest, each with a safe, unique
 * file name; throws naming the problem. A release is an OCI image manifest
 * with artifactType application/vnd.scs.cluster-stacks.v1, the OCI empty
 * config, and one layer per release file whose media type is the one
 * lib/registry/README.md documents for that file name, holding every file a
 * release must have (SHA256SUMS among them) and no layer larger than the
 * caps: all of it decided from the manifest, before anything is downloaded.
 */
export function parseReleaseManifest(bytes: Buffer, mediaType: string, reference: string, release?: ReleaseTag): { layers: TitledLayer[]; artifactType: string | undefined } {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${reference}: the manifest is not JSON`);
  }
  const m = doc as { schemaVersion?: unknown; mediaType?: unknown; artifactType?: unknown; config?: unknown; layers?: unknown } | null;
  const type = typeof m?.mediaType === 'string' ? m.mediaType : mediaType;
  if (m?.schemaVersion !== 2 || type !== MediaTypes.imageManifest) {
    throw new Error(`${reference}: not an OCI image manifest (mediaType '${printable(type)}'); a cluster stack release is one`);
  }
  if (m.artifactType !== MediaTypes.clusterStacksArtifact) {
    throw new Error(`${reference}: artifactType is ${typeof m.artifactType === 'string' ? `'${printable(m.artifactType)}'` : 'missing'}, not ${MediaTypes.clusterStacksArtifact}: not a cluster stack release`);
  }
  const config = m.config as { mediaType?: unknown; digest?: unknown; size?: unknown } | null | undefined;
  if (config?.mediaType !== EMPTY_DESCRIPTOR.mediaType || config.digest !== EMPTY_DESCRIPTOR.digest || config.size !== EMPTY_DESCRIPTOR.size) {
    throw new Error(`${reference}: the config is not the OCI empty config (${EMPTY_DESCRIPTOR.mediaType}, {}) a cluster stack release has`);
  }
  if (!Array.isArray(m.layers) || m.layers.length === 0) throw new Error(`${reference}: the manifest has no layers`);
  const titles = new Set<string>();
  let total = 0;
  const layers = m.layers.map((raw: unknown, i: number): TitledLayer => {
    const l = raw as { mediaType?: unknown; digest?: unknown; size?: unknown; annotations?: Record<string, unknown> } | null;
    const where = `${reference}: layer ${i + 1}`;
    if (typeof l?.mediaType !== 'string' || !isSha256Digest(l.digest) || typeof l.size !== 'number' || !Number.isSafeInteger(l.size) || l.size < 0) {
      throw new Error(`${where}: needs mediaType, a sha256 digest and a size (a whole number of bytes)`);
    }
    const title = l.annotations?.[Annotations.title];
    if (typeof title !== 'string' || title === '') throw new Error(`${where} (${l.digest}) has no ${Annotations.title} annotation, so it has no file name`);
    if (!PLAIN_FILE_NAME.test(title) || title.includes('..')) {
      throw new Error(`${where}: title '${printable(title)}' is not a plain file name (letters, digits, '.', '_', '-'; no '/', '\\' or '..'); refusing to write it`);
    }
    if (titles.has(title)) throw new Error(`${where}: title '${title}' is used by two layers`);
    titles.add(title);
    const expected = releaseMediaType(title);
    if (!expected) throw new Error(`${where}: '${title}' is not a release file (a release holds metadata.yaml, hashes.json, clusteraddon.yaml, node-images.yaml, SHA256SUMS and *-cluster-class-*.tgz, *-cluster-addon-*.tgz, *node-image*.tgz archives)`);
    if (l.mediaType !== expected) throw new Error(`${where} '${title}': media type '${printable(l.mediaType)}', but a release's ${title} has ${expected}`);
    const archive = title.endsWith('.tgz');
    const cap = archive ? MAX_RELEASE_ARCHIVE_BYTES : MAX_RELEASE_TEXT_BYTES;
    if (l.size > cap) {
      throw new Error(`${where} '${title}': the manifest says ${l.size} bytes, more than the ${cap} bytes a release ${archive ? 'archive' : 'file'} may have; refusing to download it`);
    }
    total += l.size;
    return { mediaType: l.mediaType, digest: l.digest, size: l.size, title };
  });
  if (total > MAX_RELEASE_BYTES) throw new Error(`${reference}: the layers add up to ${total} bytes, more than the ${MAX_RELEASE_BYTES} bytes a release may have; refusing to download them`);
  if (release) {
    const names = [...titles];
    const problem = releaseFileSetProblem(names, release);
    if (problem) throw new Error(`${reference}: not a complete release: ${problem}`);
    if (!titles.has('SHA256SUMS')) throw new Error(`${reference}: not a complete release: SHA256SUMS is missing, so its files cannot be checked`);
  }
  return { layers, artifactType: m.artifactType };
}

async function download(client: RegistryClient, repository: string, layer: TitledLayer, path: string): Promise<void> {
  let handle: FileHandle = await open(path, 'wx');
  try {
    await client.fetchBlob(repository, layer, {
      write: async (chunk) => {
        await handle.write(chunk);
      },
      restart: async () => {
        await handle.close();
        handle = await open(path, 'w');
      },
    });
  } catch (e) {
    throw new Error(`${layer.title}: ${(e as Error).message}`, { cause: e });
  } finally {
    await handle.close();
  }
}

/**
 * The downloaded files, checked against each other: SHA256SUMS lists every
 * other file with its sum and nothing else, metadata.yaml names the tag's
 * version and Kubernetes minor, hashes.json holds the stack hash. Messages
 * name the reference and the file, not the temporary folder.
 */
function checkDownloadedRelease(dir: string, names: readonly string[], reference: string, release: ReleaseTag): void {
  const named = (e: unknown): Error => new Error(printable((e as Error).message.split(dir).join(reference)), { cause: e });
  let listed: Map<string, string>;
  try {
    listed = parseSha256Sums(readFileSync(join(dir, 'SHA256SUMS'), 'utf8'), `${reference}: SHA256SUMS`);
  } catch (e) {
    throw named(e);
  }
  const problems: string[] = [];
  for (const [name, sum] of listed) {
    if (!names.includes(name)) problems.push(`${printable(name)} is listed but not in the artifact`);
    else if (name === 'SHA256SUMS') problems.push('SHA256SUMS lists itself');
    else if (sha256Hex(readFileSync(join(dir, name))) !== sum) problems.push(`${name} does not match its sum`);
  }
  for (const name of names) if (name !== 'SHA256SUMS' && !listed.has(name)) problems.push(`${name} is not listed`);
  if (problems.length > 0) throw new Error(`${reference}: SHA256SUMS: ${problems.join('; ')}`);
  try {
    readReleaseMetadata(join(dir, 'metadata.yaml'), release, 'the tag');
    readStackHash(join(dir, 'hashes.json'));
  } catch (e) {
    throw named(e);
  }
}
