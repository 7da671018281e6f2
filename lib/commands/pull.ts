import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RegistryClient, type Descriptor } from '../oci/client.ts';
import { isSha256Digest } from '../oci/digest.ts';
import { Annotations, MediaTypes } from '../oci/media-types.ts';
import { assertRepository, assertTag, formatReference, parseRegistryHost } from '../oci/reference.ts';
import { parseSha256Sums } from '../oci/release-artifact.ts';
import type { SignatureVerifier } from '../oci/signing/keys.ts';
import { verifyArtifactSignature, type VerifiedSignature } from '../oci/signing/verify.ts';
import { registryClientFor, type RegistryTarget } from './publish.ts';

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
 * oras file store does — but strictly: every blob's size and digest are
 * verified, SHA256SUMS (when present) must match the files, and a manifest
 * whose layers lack titles, have duplicate titles or titles that are not
 * plain file names is refused before anything is downloaded. Files are
 * written into a temporary sibling folder that is renamed into place at the
 * end, so a failure leaves nothing behind.
 */
export async function pullCommand(options: PullCommandOptions): Promise<PullSummary> {
  const registry = parseRegistryHost(options.registry);
  assertRepository(options.repository);
  assertTag(options.tag);
  const outputDir = resolve(options.outputDir);
  const target = join(outputDir, options.tag);
  if (existsSync(target) && !options.force) throw new Error(`${target} already exists; pass --force to replace it`);
  const reference = formatReference(registry, options.repository, options.tag);
  const client = registryClientFor(registry, options);

  const manifest = await client.getManifest(options.repository, options.tag, [MediaTypes.imageManifest]);
  const { layers, artifactType } = parseReleaseManifest(manifest.bytes, manifest.mediaType, reference);
  // The digest of the bytes just read: every blob below is checked against them.
  const signature = options.verifier ? await verifyArtifactSignature(client, options.repository, manifest.digest, options.verifier, reference) : undefined;

  mkdirSync(outputDir, { recursive: true });
  const staging = mkdtempSync(join(outputDir, `.${options.tag}.tmp-`));
  try {
    for (const layer of layers) await download(client, options.repository, layer, join(staging, layer.title));
    const sums = layers.find((l) => l.title === 'SHA256SUMS');
    if (sums) checkDownloadedSums(staging, layers.map((l) => l.title), reference);
    if (existsSync(target)) {
      const old = `${staging}.old`;
      renameSync(target, old);
      renameSync(staging, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(staging, target);
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
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

interface TitledLayer extends Descriptor {
  readonly title: string;
}

/** The layers of a release manifest, each with a safe, unique file name; throws naming the problem. */
export function parseReleaseManifest(bytes: Buffer, mediaType: string, reference: string): { layers: TitledLayer[]; artifactType: string | undefined } {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${reference}: the manifest is not JSON`);
  }
  const m = doc as { schemaVersion?: unknown; mediaType?: unknown; artifactType?: unknown; layers?: unknown } | null;
  const type = typeof m?.mediaType === 'string' ? m.mediaType : mediaType;
  if (m?.schemaVersion !== 2 || type !== MediaTypes.imageManifest) {
    throw new Error(`${reference}: not an OCI image manifest (mediaType '${type}'); a cluster stack release is one`);
  }
  if (!Array.isArray(m.layers) || m.layers.length === 0) throw new Error(`${reference}: the manifest has no layers`);
  const titles = new Set<string>();
  const layers = m.layers.map((raw: unknown, i: number): TitledLayer => {
    const l = raw as { mediaType?: unknown; digest?: unknown; size?: unknown; annotations?: Record<string, unknown> } | null;
    const where = `${reference}: layer ${i + 1}`;
    if (typeof l?.mediaType !== 'string' || !isSha256Digest(l.digest) || typeof l.size !== 'number' || !Number.isSafeInteger(l.size) || l.size < 0) {
      throw new Error(`${where}: needs mediaType, a sha256 digest and a size`);
    }
    const title = l.annotations?.[Annotations.title];
    if (typeof title !== 'string' || title === '') throw new Error(`${where} (${l.digest}) has no ${Annotations.title} annotation, so it has no file name`);
    if (title === '.' || title.includes('..') || /[/\\\0]/.test(title)) {
      throw new Error(`${where}: title '${title}' is not a plain file name (it has '/', '\\', '..' or is '.'); refusing to write outside the release folder`);
    }
    if (titles.has(title)) throw new Error(`${where}: title '${title}' is used by two layers`);
    titles.add(title);
    return { mediaType: l.mediaType, digest: l.digest, size: l.size, title };
  });
  return { layers, artifactType: typeof m.artifactType === 'string' ? m.artifactType : undefined };
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

function checkDownloadedSums(dir: string, names: readonly string[], reference: string): void {
  const listed = parseSha256Sums(readFileSync(join(dir, 'SHA256SUMS'), 'utf8'), `${reference}: SHA256SUMS`);
  const problems: string[] = [];
  for (const [name, sum] of listed) {
    if (!names.includes(name)) problems.push(`${name} is listed but not in the artifact`);
    else if (createHash('sha256').update(readFileSync(join(dir, name))).digest('hex') !== sum) problems.push(`${name} does not match its sum`);
  }
  for (const name of names) if (name !== 'SHA256SUMS' && !listed.has(name)) problems.push(`${name} is not listed`);
  if (problems.length > 0) throw new Error(`${reference}: SHA256SUMS: ${problems.join('; ')}`);
}
