import { describe, expect, it } from 'vitest';
import { inTotoStatement, openEnvelope, preAuthEncoding, signEnvelope } from '../../../lib/signing/dsse.ts';
import { generateCosignKeyPair, loadSigner, verifierFromPem } from '../../../lib/signing/keys.ts';
import { parseSimpleSigningPayload, simpleSigningPayload } from '../../../lib/signing/simple-signing.ts';
import { cosignManifest, cosignTag } from '../../../lib/signing/cosign-store.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const pair = generateCosignKeyPair('');
const signer = loadSigner('env://K', { K: pair.privateKeyPem, COSIGN_PASSWORD: '' });
const verifier = verifierFromPem(pair.publicKeyPem, 'cosign.pub');

describe("cosign's payloads", () => {
  it('writes the simple-signing payload cosign verifies, byte for byte the same each time', () => {
    const payload = simpleSigningPayload('r.example/cs', DIGEST);
    expect(payload.toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"r.example/cs"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
    );
    expect(simpleSigningPayload('r.example/cs', DIGEST).equals(payload)).toBe(true);
    expect(parseSimpleSigningPayload(payload)).toEqual({ dockerReference: 'r.example/cs', manifestDigest: DIGEST, optional: null });
  });

  it('refuses payloads that are not cosign image signatures', () => {
    expect(() => parseSimpleSigningPayload(Buffer.from('nope'))).toThrow('the signed payload is not JSON');
    expect(() => parseSimpleSigningPayload(Buffer.from('{"critical":{"type":"other"}}'))).toThrow("critical.type is not 'cosign container image signature'");
    expect(() => parseSimpleSigningPayload(Buffer.from('{"critical":{"type":"cosign container image signature","image":{}}}'))).toThrow('no sha256 critical.image.docker-manifest-digest');
    expect(() => simpleSigningPayload('r/cs', 'sha512:00')).toThrow("cannot sign 'sha512:00': not a sha256 digest");
  });

  it("uses DSSE's pre-authentication encoding (the spec's example)", () => {
    expect(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('signs in-toto statements into DSSE envelopes that open only with the right key', () => {
    const statement = inTotoStatement('r.example/cs', DIGEST, 'https://cyclonedx.org/bom', { bomFormat: 'CycloneDX' });
    expect(JSON.parse(statement.toString())).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'r.example/cs', digest: { sha256: 'ab'.repeat(32) } }],
      predicateType: 'https://cyclonedx.org/bom',
      predicate: { bomFormat: 'CycloneDX' },
    });
    const envelope = signEnvelope(statement, signer);
    const opened = openEnvelope(envelope, verifier);
    expect(opened?.predicateType).toBe('https://cyclonedx.org/bom');
    expect(opened?.subjectDigests).toEqual([DIGEST]);
    expect(openEnvelope(envelope, verifierFromPem(generateCosignKeyPair('').publicKeyPem, 'other.pub'))).toBeUndefined();
    // A changed statement under the old signature
    const doc = JSON.parse(envelope.toString()) as { payload: string };
    doc.payload = Buffer.from(statement.toString().replace('CycloneDX', 'Tampered')).toString('base64');
    expect(openEnvelope(Buffer.from(JSON.stringify(doc)), verifier)).toBeUndefined();
    expect(() => openEnvelope(Buffer.from('{}'), verifier)).toThrow('not a DSSE envelope');
  });

  it("names the tags cosign derives from a digest, and writes cosign's signature manifest", () => {
    expect(cosignTag(DIGEST, 'sig')).toBe(`sha256-${'ab'.repeat(32)}.sig`);
    expect(cosignTag(DIGEST, 'att')).toBe(`sha256-${'ab'.repeat(32)}.att`);
    expect(() => cosignTag('latest', 'sig')).toThrow("'latest' is not a sha256 digest");
    const { manifest, config } = cosignManifest([{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: DIGEST, size: 10, annotations: { 'dev.cosignproject.cosign/signature': 'c2ln' } }]);
    const m = JSON.parse(manifest.toString()) as { config: { mediaType: string }; layers: { annotations: Record<string, string> }[] };
    expect(m.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(m.layers[0]?.annotations).toEqual({ 'dev.cosignproject.cosign/signature': 'c2ln' });
    expect(JSON.parse(config.toString())).toMatchObject({ rootfs: { type: 'layers', diff_ids: [DIGEST] } });
  });
});
