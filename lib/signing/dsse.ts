import { canonicalJsonBytes, type JsonValue } from '../bytes/json.ts';
import type { SignatureVerifier, Signer } from './keys.ts';

/**
 * DSSE envelopes around in-toto statements: cosign's attestation format
 * (`cosign attest` / `cosign verify-attestation`). The signature covers the
 * DSSE pre-authentication encoding
 *   "DSSEv1" SP len(type) SP type SP len(body) SP body
 * (lengths in ASCII decimal bytes), so payload type and body are both bound.
 */
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';

export interface DsseEnvelope {
  readonly payloadType: string;
  /** base64 of the statement bytes. */
  readonly payload: string;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

/** The pre-authentication encoding the signature is made over. */
export function preAuthEncoding(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'utf8'), type, Buffer.from(` ${body.length} `, 'utf8'), body]);
}

/**
 * An in-toto v1 statement about one OCI artifact: subject name is the
 * repository (`registry/repository`), digest its manifest digest, so
 * `cosign verify-attestation` matches it to the artifact it verifies.
 */
export function inTotoStatement(subjectName: string, manifestDigest: string, predicateType: string, predicate: JsonValue): Buffer {
  return canonicalJsonBytes({
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: subjectName, digest: { sha256: manifestDigest.replace(/^sha256:/, '') } }],
    predicateType,
    predicate,
  });
}

/** Signs a statement into a DSSE envelope (canonical JSON bytes, what goes into the `.att` layer). */
export function signEnvelope(statement: Buffer, signer: Signer): Buffer {
  const sig = signer.sign(preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, statement)).toString('base64');
  return canonicalJsonBytes({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: statement.toString('base64'), signatures: [{ keyid: '', sig }] });
}

export interface OpenedEnvelope {
  readonly statement: Buffer;
  readonly predicateType: string;
  readonly subjectDigests: readonly string[];
  readonly predicate: unknown;
}

/**
 * Opens an envelope if one of its signatures verifies with `verifier`;
 * undefined when none does. Throws when the envelope is not DSSE at all.
 */
export function openEnvelope(bytes: Buffer, verifier: SignatureVerifier): OpenedEnvelope | undefined {
  let envelope: Partial<DsseEnvelope>;
  try {
    envelope = JSON.parse(bytes.toString('utf8')) as Partial<DsseEnvelope>;
  } catch {
    throw new Error('the attestation is not a JSON DSSE envelope');
  }
  if (typeof envelope.payloadType !== 'string' || typeof envelope.payload !== 'string' || !Array.isArray(envelope.signatures)) {
    throw new Error('the attestation is not a DSSE envelope (payloadType, payload, signatures)');
  }
  const body = Buffer.from(envelope.payload, 'base64');
  const pae = preAuthEncoding(envelope.payloadType, body);
  const signed = envelope.signatures.some((s) => typeof s?.sig === 'string' && verifier.verify(pae, Buffer.from(s.sig, 'base64')));
  if (!signed || envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return undefined;
  let statement: { predicateType?: unknown; subject?: unknown; predicate?: unknown };
  try {
    statement = JSON.parse(body.toString('utf8')) as typeof statement;
  } catch {
    throw new Error('the signed attestation payload is not a JSON in-toto statement');
  }
  const subjects = Array.isArray(statement.subject) ? (statement.subject as { digest?: { sha256?: unknown } }[]) : [];
  return {
    statement: body,
    predicateType: typeof statement.predicateType === 'string' ? statement.predicateType : '',
    subjectDigests: subjects.flatMap((s) => (typeof s?.digest?.sha256 === 'string' ? [`sha256:${s.digest.sha256}`] : [])),
    predicate: statement.predicate,
  };
}
