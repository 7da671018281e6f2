import type { RegistryClient } from '../registry/client.ts';
import { formatReference } from '../registry/reference.ts';
import { CosignAnnotations, CosignMediaTypes, readCosignLayers, readLayerPayload } from './cosign-store.ts';
import { openEnvelope } from './dsse.ts';
import type { SignatureVerifier } from './keys.ts';
import { parseSimpleSigningPayload } from './simple-signing.ts';

/** A release that fails verification: unsigned, signed by another key, or signed for other content. */
export class SignatureVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureVerificationError';
  }
}

export interface VerifiedSignature {
  /** The manifest digest the signature covers (the one verified against). */
  readonly digest: string;
  /** The `.sig` tag it was found under. */
  readonly signatureTag: string;
  /** The repository the signer named (`critical.identity.docker-reference`). */
  readonly dockerReference: string;
}

/**
 * Checks that the manifest `digest` of `repository` carries a cosign
 * signature that verifies with `verifier` and whose payload names exactly
 * this digest — what `cosign verify --key` checks (the transparency log
 * aside). `reference` names the artifact in messages.
 */
export async function verifyArtifactSignature(client: RegistryClient, repository: string, digest: string, verifier: SignatureVerifier, reference: string): Promise<VerifiedSignature> {
  const { tag, layers } = await readCosignLayers(client, repository, digest, 'sig');
  const sigRef = formatReference(client.registry, repository, tag);
  const candidates = layers.filter((l) => l.mediaType === CosignMediaTypes.simpleSigning);
  if (candidates.length === 0) {
    throw new SignatureVerificationError(`${reference} (${digest}) is not signed: ${layers.length === 0 ? `there is no ${sigRef}` : `${sigRef} holds no cosign signature`}; refusing it`);
  }
  const otherDigests = new Set<string>();
  const problems: string[] = [];
  for (const layer of candidates) {
    const sig = layer.annotations[CosignAnnotations.signature];
    if (!sig) continue;
    let payload: Buffer;
    try {
      payload = await readLayerPayload(client, repository, layer, 'sig');
    } catch (e) {
      problems.push((e as Error).message);
      continue;
    }
    if (!verifier.verify(payload, Buffer.from(sig, 'base64'))) continue;
    let signed;
    try {
      signed = parseSimpleSigningPayload(payload);
    } catch (e) {
      problems.push(`a payload signed by ${verifier.source}: ${(e as Error).message}`);
      continue;
    }
    if (signed.manifestDigest === digest) return { digest, signatureTag: tag, dockerReference: signed.dockerReference };
    otherDigests.add(signed.manifestDigest);
  }
  if (otherDigests.size > 0) {
    throw new SignatureVerificationError(
      `${reference}: the signature by ${verifier.source} at ${sigRef} is for ${[...otherDigests].join(', ')}, not for the manifest pulled (${digest}); the content under this tag is not what was signed — refusing it`,
    );
  }
  throw new SignatureVerificationError(
    `${reference} (${digest}): ${candidates.length === 1 ? 'the signature' : `none of the ${candidates.length} signatures`} at ${sigRef} ${candidates.length === 1 ? 'does not verify' : 'verifies'} with ${verifier.source}: signed by another key, or the signature was replaced — refusing it${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`,
  );
}

export interface VerifiedAttestation {
  readonly predicateType: string;
  readonly predicate: unknown;
}

/**
 * The attestations of `digest` whose DSSE envelope verifies with `verifier`
 * and whose in-toto subject names this digest (cosign verify-attestation's
 * checks); `others` counts the layers that did not pass.
 */
export async function verifyArtifactAttestations(client: RegistryClient, repository: string, digest: string, verifier: SignatureVerifier): Promise<{ verified: VerifiedAttestation[]; others: number }> {
  const { layers } = await readCosignLayers(client, repository, digest, 'att');
  const verified: VerifiedAttestation[] = [];
  let others = 0;
  for (const layer of layers) {
    if (layer.mediaType !== CosignMediaTypes.dsseEnvelope) {
      others++;
      continue;
    }
    let opened;
    try {
      opened = openEnvelope(await readLayerPayload(client, repository, layer, 'att'), verifier);
    } catch {
      opened = undefined;
    }
    if (opened && opened.subjectDigests.includes(digest)) verified.push({ predicateType: opened.predicateType, predicate: opened.predicate });
    else others++;
  }
  return { verified, others };
}
