import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { sha256Digest } from '../../lib/registry/digest.ts';
import { MediaTypes } from '../../lib/registry/media-types.ts';
import { assertRepository, assertTag, formatReference, parseRegistryHost } from '../../lib/registry/reference.ts';
import type { SignatureVerifier } from '../../lib/signing/keys.ts';
import { SignatureVerificationError, verifyArtifactAttestations, verifyArtifactSignature } from '../../lib/signing/verify.ts';
import { registryClientFor, type RegistryTarget } from './publish.ts';
import { parseReleaseManifest } from './pull.ts';

export interface VerifyCommandOptions extends RegistryTarget {
  /** A release tag in the registry, or a local release folder `…/<tag>/` to check against the signed release of that tag. */
  readonly target: { readonly kind: 'tag'; readonly tag: string } | { readonly kind: 'folder'; readonly dir: string };
  readonly verifier: SignatureVerifier;
}

export interface VerifySummary {
  readonly reference: string;
  readonly digest: string;
  readonly signatureTag: string;
  /** Predicate types of the attestations that verify with the key and name this digest. */
  readonly attestations: readonly string[];
  /** Attestation layers that did not verify (other keys, other subjects). */
  readonly otherAttestations: number;
  /** For a folder: it holds exactly the signed files. */
  readonly folder?: { readonly dir: string; readonly files: number };
}

/** Largest local file hashed when checking a folder. */
const MAX_FILE_BYTES = 1024 * 1024 * 1024;

/**
 * Verifies a release: its manifest in the registry carries a cosign
 * signature by the key for exactly that manifest's digest (refused
 * otherwise, naming why), and lists the attestations signed by the same key.
 * For a local folder, the folder's name is the tag: the signed manifest is
 * read from the registry and every file of the folder must be a layer of it,
 * with the same sha256 and size, and every layer a file — so a folder that
 * verifies is byte for byte what the key holder signed.
 */
export async function verifyCommand(options: VerifyCommandOptions): Promise<VerifySummary> {
  const registry = parseRegistryHost(options.registry);
  assertRepository(options.repository);
  const dir = options.target.kind === 'folder' ? resolve(options.target.dir) : undefined;
  if (dir !== undefined && (!existsSync(dir) || !statSync(dir).isDirectory())) throw new Error(`${options.target.kind === 'folder' ? options.target.dir : ''}: no such release folder`);
  const tag = options.target.kind === 'tag' ? options.target.tag : basename(dir as string);
  assertTag(tag);
  const reference = formatReference(registry, options.repository, tag);
  const client = registryClientFor(registry, options);
  const manifest = await client.getManifest(options.repository, tag, [MediaTypes.imageManifest]);
  const signature = await verifyArtifactSignature(client, options.repository, manifest.digest, options.verifier, reference);
  const attestations = await verifyArtifactAttestations(client, options.repository, manifest.digest, options.verifier);
  let folder: VerifySummary['folder'];
  if (dir !== undefined) {
    const { layers } = parseReleaseManifest(manifest.bytes, manifest.mediaType, reference);
    const names = readdirSync(dir).sort();
    const problems: string[] = [];
    for (const name of names) {
      const layer = layers.find((l) => l.title === name);
      const path = resolve(dir, name);
      const st = lstatSync(path);
      if (!layer) problems.push(`${name} is not in the signed release`);
      else if (!st.isFile()) problems.push(`${name} is not a regular file`);
      else if (st.size !== layer.size || st.size > MAX_FILE_BYTES) problems.push(`${name} has ${st.size} bytes, the signed release ${layer.size}`);
      else if (sha256Digest(readFileSync(path)) !== layer.digest) problems.push(`${name} differs from the signed release (${layer.digest})`);
    }
    for (const l of layers) if (!names.includes(l.title)) problems.push(`${l.title} is missing`);
    if (problems.length > 0) throw new SignatureVerificationError(`${dir}: not the release signed at ${reference} (${manifest.digest}): ${problems.join('; ')}`);
    folder = { dir, files: names.length };
  }
  return {
    reference,
    digest: manifest.digest,
    signatureTag: signature.signatureTag,
    attestations: attestations.verified.map((a) => a.predicateType),
    otherAttestations: attestations.others,
    ...(folder ? { folder } : {}),
  };
}
