import { canonicalJsonBytes } from '../bytes/json.ts';
import { isSha256Digest } from '../registry/digest.ts';

/**
 * cosign's signature payload for an OCI artifact: Red Hat's "simple
 * signing" JSON, as sigstore's `payload.SimpleContainerImage` writes it.
 * `cosign verify` requires `critical.image.docker-manifest-digest` to be the
 * digest it resolved; `docker-reference` names the repository (cosign writes
 * `<registry>/<repository>`, without tag or digest).
 */
const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

export interface SimpleSigningPayload {
  readonly dockerReference: string;
  readonly manifestDigest: string;
  /** cosign's `-a key=value` annotations; null when there are none (what cosign writes). */
  readonly optional: Readonly<Record<string, string>> | null;
}

/** The payload bytes: canonical JSON, so the same release and repository always give the same bytes. */
export function simpleSigningPayload(dockerReference: string, manifestDigest: string, optional: Readonly<Record<string, string>> | null = null): Buffer {
  if (!isSha256Digest(manifestDigest)) throw new Error(`cannot sign '${manifestDigest}': not a sha256 digest`);
  return canonicalJsonBytes({
    critical: { identity: { 'docker-reference': dockerReference }, image: { 'docker-manifest-digest': manifestDigest }, type: SIMPLE_SIGNING_TYPE },
    optional: optional === null ? null : { ...optional },
  });
}

/** Reads a payload someone signed (cosign or us); throws naming what is wrong. */
export function parseSimpleSigningPayload(bytes: Buffer): SimpleSigningPayload {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('the signed payload is not JSON');
  }
  const critical = (doc as { critical?: { identity?: { 'docker-reference'?: unknown }; image?: { 'docker-manifest-digest'?: unknown }; type?: unknown } } | null)?.critical;
  if (critical?.type !== SIMPLE_SIGNING_TYPE) throw new Error(`the signed payload's critical.type is not '${SIMPLE_SIGNING_TYPE}'`);
  const digest = critical.image?.['docker-manifest-digest'];
  if (!isSha256Digest(digest)) throw new Error('the signed payload has no sha256 critical.image.docker-manifest-digest');
  const ref = critical.identity?.['docker-reference'];
  const optional = (doc as { optional?: unknown }).optional;
  return {
    dockerReference: typeof ref === 'string' ? ref : '',
    manifestDigest: digest,
    optional: optional !== null && typeof optional === 'object' ? (Object.fromEntries(Object.entries(optional).map(([k, v]) => [k, String(v)])) as Record<string, string>) : null,
  };
}
