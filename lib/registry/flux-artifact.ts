import { createTgz, readTgz } from '../bytes/tgz.ts';
import { bufferBlob, type BlobSource, type RegistryClient } from './client.ts';
import { sha256Digest } from './digest.ts';
import { Annotations, MediaTypes } from './media-types.ts';
import { printable } from './printable.ts';
import { formatReference } from './reference.ts';
import { EPOCH } from './release-artifact.ts';

/**
 * Flux OCI artifacts: what `flux push artifact` writes and what `flux pull
 * artifact` and source-controller's OCIRepository read, built here the way
 * github.com/fluxcd/pkg/oci builds them (Client.Push, push.go:97-163 of
 * v0.70.0, identical in the newest v0.73.0):
 *
 * - an OCI image manifest (`application/vnd.oci.image.manifest.v1+json`,
 *   push.go:144) without artifactType;
 * - config media type `application/vnd.cncf.flux.config.v1+json`
 *   (globals.go:27, push.go:145). The config is NOT the empty `{}`: it is
 *   go-containerregistry's image config of `empty.Image` with `created` set
 *   (push.go:135-140), and nothing else — go-containerregistry keeps the
 *   config blob of a non-image config media type as it is, so appending the
 *   layer adds no diff ID;
 * - one layer `application/vnd.cncf.flux.content.v1.tar+gzip`
 *   (globals.go:30-33, push.go:169-180): a gzip'd tar of the folder, which
 *   Client.Pull (pull.go:78-147) and source-controller
 *   (internal/controller/ocirepository_controller.go:546, 591-629 of v1.9.6)
 *   extract with fluxcd/pkg/tar Untar into the artifact root;
 * - manifest annotations `org.opencontainers.image.created` (RFC 3339),
 *   `org.opencontainers.image.source` and `org.opencontainers.image.revision`
 *   (constants.go:22-30, meta.go:31-36 ToAnnotations, push.go:146); flux2's
 *   CLI documents the revision as `<branch|tag>@sha1:<commit>`
 *   (cmd/flux/push_artifact.go:131 of v2.9.5), the format of
 *   source-controller's Git revisions (fluxcd/pkg/git git.go:97-102).
 *
 * Older Flux wrote other configs for the same thing: pkg/oci v0.68.1 and
 * earlier, built with go-containerregistry ≤ v0.21.5, an image config with
 * `rootfs.diff_ids` and a history entry; the flux CLI v2.9.5 (pkg/oci
 * v0.68.1 built with go-containerregistry v0.21.6) the config of
 * `empty.Image` unchanged, with a zero `created` — what the comment at
 * push.go:131-134 of v0.70.0 fixes. No Flux reads the config: pull and
 * source-controller go by the manifest and the layer.
 *
 * Both JSON documents are written in go-containerregistry's field order
 * (encoding/json of its structs: struct order, map keys sorted, `<>&`
 * escaped), so for the same layer and annotations the manifest digest is the
 * one Flux's Client.Push computes. The layer is this project's reproducible
 * tar.gz (lib/bytes/tgz.ts) rather than Flux's tar of a folder on disk, so
 * the whole artifact depends only on the files and the provenance.
 */

export const FluxMediaTypes = {
  config: 'application/vnd.cncf.flux.config.v1+json',
  content: 'application/vnd.cncf.flux.content.v1.tar+gzip',
} as const;

const FluxAnnotations = {
  created: Annotations.created,
  source: 'org.opencontainers.image.source',
  revision: Annotations.revision,
} as const;

/** The annotations that say where and when an artifact was built, not what it holds. */
const FLUX_PROVENANCE_ANNOTATIONS: readonly string[] = [FluxAnnotations.created, FluxAnnotations.source, FluxAnnotations.revision];

export interface FluxProvenance {
  /**
   * `org.opencontainers.image.created`, `YYYY-MM-DDTHH:MM:SSZ` (also the
   * config's `created`). Never the clock: the CLI takes SOURCE_DATE_EPOCH.
   * @default '1970-01-01T00:00:00Z'
   */
  readonly created?: string;
  /** `org.opencontainers.image.source`: where the files come from, e.g. the Git URL. @default - omitted */
  readonly source?: string;
  /** `org.opencontainers.image.revision`, e.g. `main@sha1:<commit>`. @default - omitted */
  readonly revision?: string;
}

/** One file of the artifact, at the artifact root. */
export interface FluxFile {
  readonly name: string;
  readonly content: Buffer;
}

/** A Flux artifact, ready to push: config, layer (blobs first) and manifest. */
export interface FluxArtifact {
  readonly config: BlobSource;
  readonly configBytes: Buffer;
  readonly layer: BlobSource;
  readonly layerBytes: Buffer;
  readonly annotations: Readonly<Record<string, string>>;
  readonly manifest: Buffer;
  readonly digest: string;
}

const CREATED = /^([0-9]{4})-(0[1-9]|1[0-2])-([0-2][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$/;

/**
 * The Flux artifact of `files` (a flat folder: names without '/'). The same
 * files and provenance always give the same bytes and digest.
 */
export function buildFluxArtifact(files: readonly FluxFile[], provenance: FluxProvenance = {}): FluxArtifact {
  if (files.length === 0) throw new Error('a Flux artifact needs at least one file');
  for (const f of files) {
    if (!/^[A-Za-z0-9._-]+$/.test(f.name) || f.name === '.' || f.name === '..') throw new Error(`'${f.name}' is not a plain file name; a Flux artifact built here is one flat folder`);
  }
  const created = provenance.created ?? EPOCH;
  // Round-trips through Date, so 2025-02-30 is refused as Go's time.Parse (Flux's push.go:126) refuses it.
  const time = new Date(created);
  if (!CREATED.test(created) || Number.isNaN(time.getTime()) || time.toISOString().replace(/\.000Z$/, 'Z') !== created) throw new Error(`created '${created}' is not a UTC time YYYY-MM-DDTHH:MM:SSZ`);
  const annotations: Record<string, string> = { [FluxAnnotations.created]: created };
  if (provenance.source !== undefined && provenance.source !== '') annotations[FluxAnnotations.source] = provenance.source;
  if (provenance.revision !== undefined && provenance.revision !== '') annotations[FluxAnnotations.revision] = provenance.revision;

  const layerBytes = createTgz(files.map((f) => ({ path: f.name, content: f.content })));
  const configBytes = fluxConfig(created);
  const config = bufferBlob(configBytes);
  const layer = bufferBlob(layerBytes);
  const manifest = fluxManifest({ mediaType: FluxMediaTypes.config, size: config.size, digest: config.digest }, [{ mediaType: FluxMediaTypes.content, size: layer.size, digest: layer.digest }], annotations);
  return { config, configBytes, layer, layerBytes, annotations, manifest, digest: sha256Digest(manifest) };
}

/**
 * The config blob Flux's Client.Push writes: go-containerregistry's
 * ConfigFile of `empty.Image` with `created` set, as encoding/json writes it
 * (fields in struct order, empty `architecture` and `os` kept, `diff_ids`
 * null): a function of `created` only.
 */
export function fluxConfig(created: string): Buffer {
  return Buffer.from(`{"architecture":"","created":${goJsonString(created)},"os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}`, 'utf8');
}

interface GoDescriptor {
  readonly mediaType: string;
  readonly size: number;
  readonly digest: string;
}

/** An OCI image manifest as go-containerregistry's v1.Manifest marshals: schemaVersion, mediaType, config, layers, annotations (keys sorted). */
function fluxManifest(config: GoDescriptor, layers: readonly GoDescriptor[], annotations: Readonly<Record<string, string>>): Buffer {
  const descriptor = (d: GoDescriptor) => `{"mediaType":${goJsonString(d.mediaType)},"size":${d.size},"digest":${goJsonString(d.digest)}}`;
  // Go sorts map keys by their UTF-8 bytes.
  const keys = Object.keys(annotations).sort((a, b) => Buffer.from(a, 'utf8').compare(Buffer.from(b, 'utf8')));
  const annotationJson = keys.map((k) => `${goJsonString(k)}:${goJsonString(annotations[k] as string)}`).join(',');
  return Buffer.from(
    `{"schemaVersion":2,"mediaType":${goJsonString(MediaTypes.imageManifest)},"config":${descriptor(config)},"layers":[${layers.map(descriptor).join(',')}]${keys.length > 0 ? `,"annotations":{${annotationJson}}` : ''}}`,
    'utf8',
  );
}

/**
 * A string as Go's encoding/json writes it: JSON.stringify's escaping plus
 * `<`, `>`, `&`, U+2028 and U+2029 as \u escapes (Go's HTML-safe default).
 * Lone surrogates, which Go would write as U+FFFD, are refused.
 */
export function goJsonString(value: string): string {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) throw new Error(`'${value}' is not valid Unicode (lone surrogate)`);
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface ManifestJson {
  schemaVersion?: unknown;
  mediaType?: unknown;
  artifactType?: unknown;
  config?: { mediaType?: unknown; digest?: unknown; size?: unknown };
  layers?: unknown;
  annotations?: Record<string, string>;
}

/** The parsed manifest, or undefined when it is not JSON. */
function parseManifest(bytes: Buffer): ManifestJson | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as ManifestJson) : undefined;
  } catch {
    return undefined;
  }
}

/** What a published manifest is, for messages: a Flux artifact, or the artifactType / config media type it has. */
export function describeArtifactKind(bytes: Buffer): string {
  const m = parseManifest(bytes);
  if (!m) return 'not an OCI manifest';
  if (m.config?.mediaType === FluxMediaTypes.config) return 'a Flux artifact';
  if (typeof m.artifactType === 'string') return `an artifact of type ${printable(m.artifactType)}`;
  return `an artifact with config ${typeof m.config?.mediaType === 'string' ? printable(m.config.mediaType) : '(none)'}`;
}

/**
 * Whether a published Flux manifest holds the same content as ours: the same
 * layers (digest, size, media type) and the same annotations apart from
 * created, source and revision. The config is not compared byte for byte:
 * Flux's config is a function of `created` (and differs between Flux
 * versions, see above). Returns a note naming the published
 * provenance, or undefined when the content differs (or it is no Flux artifact).
 */
export function sameFluxContent(published: Buffer, ours: Buffer): string | undefined {
  const theirs = parseManifest(published);
  const mine = parseManifest(ours);
  if (!theirs || !mine || theirs.config?.mediaType !== FluxMediaTypes.config) return undefined;
  const content = (m: ManifestJson) =>
    JSON.stringify({
      schemaVersion: m.schemaVersion,
      mediaType: m.mediaType,
      artifactType: m.artifactType ?? null,
      configMediaType: m.config?.mediaType,
      layers: Array.isArray(m.layers) ? (m.layers as { mediaType?: unknown; digest?: unknown; size?: unknown }[]).map((l) => [l.mediaType, l.digest, l.size]) : null,
      annotations: Object.entries(m.annotations ?? {})
        .filter(([k]) => !FLUX_PROVENANCE_ANNOTATIONS.includes(k))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    });
  if (content(theirs) !== content(mine)) return undefined;
  const a = theirs.annotations ?? {};
  const revision = a[FluxAnnotations.revision];
  const created = a[FluxAnnotations.created];
  // The note is printed: the published annotations are a registry's text.
  return printable(`same content, published ${revision ? `from revision ${revision}` : 'without a revision'}${created ? ` (created ${created})` : ''}`);
}

/** A Flux artifact read back from a registry with this project's client. */
export interface PulledFluxArtifact {
  readonly digest: string;
  readonly manifest: Buffer;
  readonly config: Buffer;
  readonly annotations: Readonly<Record<string, string>>;
  /** The files of the content layer, name → bytes, in archive order. */
  readonly files: ReadonlyMap<string, Buffer>;
}

/**
 * Reads a Flux artifact the way Flux does (first layer, a tar.gz, extracted
 * at the root), with every blob's size and digest checked. Refuses a
 * manifest that is not a Flux artifact (config media type) or whose first
 * layer is not Flux content.
 */
export async function pullFluxArtifact(client: RegistryClient, repository: string, reference: string): Promise<PulledFluxArtifact> {
  const where = formatReference(client.registry, repository, reference);
  const { bytes, digest } = await client.getManifest(repository, reference, [MediaTypes.imageManifest]);
  const manifest = parseManifest(bytes);
  if (!manifest || manifest.config?.mediaType !== FluxMediaTypes.config) throw new Error(`${where} is ${describeArtifactKind(bytes)}, not a Flux artifact (config media type ${FluxMediaTypes.config})`);
  const config = descriptorOf(manifest.config, `${where}: config`);
  const layers = Array.isArray(manifest.layers) ? (manifest.layers as unknown[]) : [];
  const first = layers[0] as { mediaType?: unknown; digest?: unknown; size?: unknown } | undefined;
  if (!first) throw new Error(`${where}: no layers found in artifact`);
  if (first.mediaType !== FluxMediaTypes.content) throw new Error(`${where}: the first layer has media type ${printable(String(first.mediaType))}, not ${FluxMediaTypes.content}`);
  const layer = descriptorOf(first, `${where}: layer 0`);
  const configBytes = await client.fetchBlobBytes(repository, config);
  const layerBytes = await client.fetchBlobBytes(repository, layer);
  const files = await readTgz(layerBytes, `${where} layer ${layer.digest}`);
  return { digest, manifest: bytes, config: configBytes, annotations: { ...(manifest.annotations ?? {}) }, files };
}

function descriptorOf(value: { digest?: unknown; size?: unknown } | undefined, where: string): { digest: string; size: number } {
  if (typeof value?.digest !== 'string' || typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) throw new Error(`${where}: descriptor without a digest and size`);
  return { digest: value.digest, size: value.size };
}
