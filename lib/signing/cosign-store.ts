import { canonicalJsonBytes } from '../bytes/json.ts';
import { bufferBlob, type Descriptor, type RegistryClient } from '../registry/client.ts';
import { isSha256Digest, sha256Digest } from '../registry/digest.ts';
import { MediaTypes } from '../registry/media-types.ts';

/**
 * Where and how cosign keeps signatures and attestations of an artifact in
 * a registry: the tag fallback of the OCI 1.1 referrers scheme, which is
 * what `cosign verify` and `cosign verify-attestation` read by default (and
 * the only place a registry without the referrers API, such as distribution
 * 2.8, can hold them):
 *
 *   <repository>:sha256-<hex>.sig   signatures
 *   <repository>:sha256-<hex>.att   attestations
 *
 * Each is an OCI image manifest whose layers are the signed payloads, one
 * per signature; the signature itself (and, for keyless signing, the
 * certificate, chain and Rekor bundle) sits in the layer's annotations.
 * Signing again appends a layer and keeps the others, as cosign does.
 */
export const CosignMediaTypes = {
  simpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  dsseEnvelope: 'application/vnd.dsse.envelope.v1+json',
  imageConfig: 'application/vnd.oci.image.config.v1+json',
} as const;

export const CosignAnnotations = {
  /** base64 of the ASN.1 signature over the layer (empty for attestations: the envelope holds it). */
  signature: 'dev.cosignproject.cosign/signature',
  /** The in-toto predicate type of an attestation layer. */
  predicateType: 'predicateType',
} as const;

/**
 * Largest payload read from a registry: a simple-signing payload is a few
 * hundred bytes; an attestation envelope holds a whole SBOM.
 */
const MAX_PAYLOAD_BYTES: Readonly<Record<CosignKind, number>> = { sig: 1024 * 1024, att: 16 * 1024 * 1024 };
/** Most layers read from one `.sig`/`.att` manifest. */
const MAX_LAYERS = 1000;

export type CosignKind = 'sig' | 'att';

/** `sha256-<hex>.sig` / `.att`: the tag cosign derives from the artifact's digest. */
export function cosignTag(digest: string, kind: CosignKind): string {
  if (!isSha256Digest(digest)) throw new Error(`'${digest}' is not a sha256 digest`);
  return `${digest.replace(':', '-')}.${kind}`;
}

/** One layer to add: the payload and its annotations. */
export interface CosignLayer {
  readonly mediaType: string;
  readonly payload: Buffer;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A layer as read from a `.sig`/`.att` manifest. */
export interface StoredLayer extends Descriptor {
  readonly annotations: Readonly<Record<string, string>>;
}

/** The layers of an artifact's `.sig` or `.att` tag; empty when the tag does not exist. */
export async function readCosignLayers(client: RegistryClient, repository: string, digest: string, kind: CosignKind): Promise<{ tag: string; layers: StoredLayer[] }> {
  const tag = cosignTag(digest, kind);
  const found = await client.resolve(repository, tag);
  if (!found) return { tag, layers: [] };
  const manifest = await client.getManifest(repository, found.digest, [MediaTypes.imageManifest]);
  let doc: { layers?: unknown };
  try {
    doc = JSON.parse(manifest.bytes.toString('utf8')) as { layers?: unknown };
  } catch {
    throw new Error(`${client.registry}/${repository}:${tag}: the manifest is not JSON`);
  }
  if (!Array.isArray(doc.layers)) throw new Error(`${client.registry}/${repository}:${tag}: the manifest has no layers`);
  if (doc.layers.length > MAX_LAYERS) throw new Error(`${client.registry}/${repository}:${tag}: more than ${MAX_LAYERS} layers`);
  const layers = doc.layers.flatMap((raw: unknown): StoredLayer[] => {
    const l = raw as { mediaType?: unknown; digest?: unknown; size?: unknown; annotations?: unknown } | null;
    if (typeof l?.mediaType !== 'string' || !isSha256Digest(l.digest) || typeof l.size !== 'number' || !Number.isSafeInteger(l.size) || l.size < 0) return [];
    const annotations = l.annotations !== null && typeof l.annotations === 'object' ? Object.fromEntries(Object.entries(l.annotations).filter(([, v]) => typeof v === 'string')) : {};
    return [{ mediaType: l.mediaType, digest: l.digest, size: l.size, annotations: annotations as Record<string, string> }];
  });
  return { tag, layers };
}

/** A layer's payload, size-bounded and digest-checked. */
export async function readLayerPayload(client: RegistryClient, repository: string, layer: StoredLayer, kind: CosignKind): Promise<Buffer> {
  const max = MAX_PAYLOAD_BYTES[kind];
  if (layer.size > max) throw new Error(`${client.registry}/${repository}@${layer.digest}: a ${layer.size}-byte ${kind === 'sig' ? 'signature payload' : 'attestation'} is larger than ${max} bytes`);
  return client.fetchBlobBytes(repository, layer);
}

/**
 * The manifest cosign would write for these layers: an OCI image manifest
 * with an image config whose rootfs lists the layers (go-containerregistry's
 * `empty.Image` plus appended static layers).
 */
export function cosignManifest(layers: readonly (Descriptor & { annotations: Readonly<Record<string, string>> })[]): { manifest: Buffer; config: Buffer } {
  const config = canonicalJsonBytes({
    architecture: '',
    config: {},
    created: '0001-01-01T00:00:00Z',
    history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
    os: '',
    rootfs: { diff_ids: layers.map((l) => l.digest), type: 'layers' },
  });
  const manifest = canonicalJsonBytes({
    schemaVersion: 2,
    mediaType: MediaTypes.imageManifest,
    config: { mediaType: CosignMediaTypes.imageConfig, digest: sha256Digest(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, annotations: { ...l.annotations } })),
  });
  return { manifest, config };
}

/**
 * Appends layers to the `.sig`/`.att` tag of an artifact (keeping every
 * layer already there): payload blobs and the config first, the manifest
 * last. Returns the tag written.
 */
export async function appendCosignLayers(client: RegistryClient, repository: string, digest: string, kind: CosignKind, existing: readonly StoredLayer[], added: readonly CosignLayer[]): Promise<string> {
  const tag = cosignTag(digest, kind);
  const fresh = added.map((a) => ({ blob: bufferBlob(a.payload), layer: a }));
  for (const { blob } of fresh) await client.pushBlob(repository, blob);
  const layers = [...existing, ...fresh.map(({ blob, layer }) => ({ mediaType: layer.mediaType, digest: blob.digest, size: blob.size, annotations: layer.annotations }))];
  const { manifest, config } = cosignManifest(layers);
  await client.pushBlob(repository, bufferBlob(config));
  await client.pushManifest(repository, tag, manifest, MediaTypes.imageManifest);
  return tag;
}
