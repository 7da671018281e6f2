import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrdSchemaRegistry } from '../../lib/pipeline/crd-schema.ts';
import type { RegistryClient } from '../../lib/registry/client.ts';
import { Annotations, MediaTypes } from '../../lib/registry/media-types.ts';
import { formatReference } from '../../lib/registry/reference.ts';
import type { ReleaseArtifact } from '../../lib/registry/release-artifact.ts';
import { inTotoStatement } from '../../lib/signing/dsse.ts';
import type { Signer } from '../../lib/signing/keys.ts';
import { attestArtifact, signArtifact, type SignOutcome } from '../../lib/signing/sign.ts';
import { validatedCrds } from '../../lib/release/crd-pins.ts';
import { releaseProvenance, SLSA_PROVENANCE_PREDICATE_TYPE } from '../../lib/release/provenance.ts';
import { readReleaseInventory } from '../../lib/release/release-inventory.ts';
import { CYCLONEDX_PREDICATE_TYPE, releaseSbom } from '../../lib/release/sbom.ts';
import type { AttestationContext } from '../../lib/release/attestation-context.ts';
import { sameContent } from './publish.ts';

/** How `publish --sign-key` signs: the key, and what the statements name as their generator. */
export interface ReleaseSigning {
  readonly signer: Signer;
  readonly tool: { readonly name: string; readonly version: string };
  /** The pinned CRDs, loaded once for all releases. */
  readonly crds: CrdSchemaRegistry;
}

/** What signing one published release did. */
export interface ReleaseSignature {
  /** The manifest digest signed: the one the tag holds. */
  readonly digest: string;
  readonly signature: SignOutcome;
  readonly signatureReference: string;
  /** Predicate types attached now, and those that were there already (signed by this key). */
  readonly attested: readonly string[];
  readonly alreadyAttested: readonly string[];
  readonly attestationReference: string;
}

/** The signing settings for `publish --sign-key`: loads the pinned CRDs and names this generator. */
export function releaseSigning(signer: Signer, root: string): ReleaseSigning {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string; version?: string };
  return { signer, tool: { name: pkg.name ?? 'cluster-stacks', version: pkg.version ?? '0.0.0' }, crds: CrdSchemaRegistry.load() };
}

/**
 * Signs the release a tag holds and attaches its SBOM (CycloneDX) and SLSA
 * provenance as signed attestations, in cosign's layout. The digest signed
 * is read back from the registry and must be this release's manifest, or
 * one with the same content that differs only in created/revision (an
 * earlier publish of it): content someone else put under the tag is never
 * signed. The statements take created and revision from that manifest, so
 * they describe exactly what the tag serves.
 */
export async function signPublishedRelease(client: RegistryClient, repository: string, artifact: ReleaseArtifact, signing: ReleaseSigning): Promise<ReleaseSignature> {
  const tag = artifact.release.tag;
  const reference = formatReference(client.registry, repository, tag);
  const remote = await client.getManifest(repository, tag, [MediaTypes.imageManifest]);
  if (remote.digest !== artifact.digest && sameContent(remote.bytes, artifact.manifest) === undefined) {
    throw new Error(`${reference} now holds ${remote.digest}, which is not the content of ${artifact.dir}; not signing it`);
  }
  const annotations = (JSON.parse(remote.bytes.toString('utf8')) as { annotations?: Record<string, string> }).annotations ?? {};
  const inventory = await readReleaseInventory(artifact);
  const revision = annotations[Annotations.revision];
  const ctx: AttestationContext = {
    inventory,
    crds: validatedCrds(inventory.objectKinds, signing.crds),
    registry: client.registry,
    repository,
    digest: remote.digest,
    created: annotations[Annotations.created] ?? '1970-01-01T00:00:00Z',
    ...(revision ? { revision } : {}),
    tool: signing.tool,
  };
  const subject = `${client.registry}/${repository}`;
  const signed = await signArtifact(client, repository, remote.digest, signing.signer);
  const attestation = await attestArtifact(client, repository, remote.digest, signing.signer, [
    { predicateType: CYCLONEDX_PREDICATE_TYPE, bytes: inTotoStatement(subject, remote.digest, CYCLONEDX_PREDICATE_TYPE, releaseSbom(ctx)) },
    { predicateType: SLSA_PROVENANCE_PREDICATE_TYPE, bytes: inTotoStatement(subject, remote.digest, SLSA_PROVENANCE_PREDICATE_TYPE, releaseProvenance(ctx)) },
  ]);
  return {
    digest: remote.digest,
    signature: signed.outcome,
    signatureReference: formatReference(client.registry, repository, signed.tag),
    attested: attestation.attested,
    alreadyAttested: attestation.alreadyAttested,
    attestationReference: formatReference(client.registry, repository, attestation.tag),
  };
}
