import type { RegistryClient } from '../registry/client.ts';
import { sha256Digest } from '../registry/digest.ts';
import { appendCosignLayers, CosignAnnotations, CosignMediaTypes, readCosignLayers, readLayerPayload } from './cosign-store.ts';
import { openEnvelope, signEnvelope } from './dsse.ts';
import { verifierFromPem, type Signer } from './keys.ts';
import { simpleSigningPayload } from './simple-signing.ts';

export type SignOutcome = 'signed' | 'already-signed';

/**
 * Signs an artifact the way `cosign sign --key` does: the simple-signing
 * payload for `<registry>/<repository>` and the digest, an ECDSA signature
 * in the layer annotation, appended to `<repository>:sha256-<hex>.sig`.
 * When that tag already holds the same payload signed by the same key,
 * nothing is written (ECDSA signatures differ on every run, so comparing
 * bytes would sign again forever).
 */
export async function signArtifact(client: RegistryClient, repository: string, digest: string, signer: Signer): Promise<{ outcome: SignOutcome; tag: string }> {
  const payload = simpleSigningPayload(`${client.registry}/${repository}`, digest);
  const { tag, layers } = await readCosignLayers(client, repository, digest, 'sig');
  const mine = verifierFromPem(signer.publicKeyPem, signer.source);
  for (const layer of layers) {
    const sig = layer.annotations[CosignAnnotations.signature];
    if (layer.mediaType !== CosignMediaTypes.simpleSigning || !sig) continue;
    // Only a layer with exactly our payload can be ours: compare digests before downloading anything.
    if (layer.digest !== sha256Digest(payload)) continue;
    const existing = await readLayerPayload(client, repository, layer, 'sig');
    if (mine.verify(existing, Buffer.from(sig, 'base64'))) return { outcome: 'already-signed', tag };
  }
  const annotations = { ...signer.annotations, [CosignAnnotations.signature]: signer.sign(payload).toString('base64') };
  await appendCosignLayers(client, repository, digest, 'sig', layers, [{ mediaType: CosignMediaTypes.simpleSigning, payload, annotations }]);
  return { outcome: 'signed', tag };
}

/** An in-toto statement to attach, with its predicate type. */
export interface Statement {
  readonly predicateType: string;
  /** The statement bytes (canonical JSON: the same release gives the same bytes). */
  readonly bytes: Buffer;
}

/**
 * Attaches statements as signed attestations the way `cosign attest --key`
 * does: each a DSSE envelope layer (`application/vnd.dsse.envelope.v1+json`,
 * annotation `predicateType`) of `<repository>:sha256-<hex>.att`. A
 * statement that is already there, signed by this key, is not added again.
 */
export async function attestArtifact(client: RegistryClient, repository: string, digest: string, signer: Signer, statements: readonly Statement[]): Promise<{ attested: string[]; alreadyAttested: string[]; tag: string }> {
  const { tag, layers } = await readCosignLayers(client, repository, digest, 'att');
  const mine = verifierFromPem(signer.publicKeyPem, signer.source);
  const present = new Set<string>();
  for (const layer of layers) {
    if (layer.mediaType !== CosignMediaTypes.dsseEnvelope) continue;
    const opened = await readLayerPayload(client, repository, layer, 'att').then((bytes) => openEnvelopeSafely(bytes, mine), () => undefined);
    if (opened) present.add(opened.statement.toString('base64'));
  }
  const todo = statements.filter((s) => !present.has(s.bytes.toString('base64')));
  if (todo.length > 0) {
    await appendCosignLayers(
      client,
      repository,
      digest,
      'att',
      layers,
      todo.map((s) => ({
        mediaType: CosignMediaTypes.dsseEnvelope,
        payload: signEnvelope(s.bytes, signer),
        annotations: { ...signer.annotations, [CosignAnnotations.signature]: '', [CosignAnnotations.predicateType]: s.predicateType },
      })),
    );
  }
  return { attested: todo.map((s) => s.predicateType), alreadyAttested: statements.filter((s) => !todo.includes(s)).map((s) => s.predicateType), tag };
}

/** Someone else's malformed layer must not stop us from adding ours. */
function openEnvelopeSafely(bytes: Buffer, verifier: ReturnType<typeof verifierFromPem>) {
  try {
    return openEnvelope(bytes, verifier);
  } catch {
    return undefined;
  }
}
