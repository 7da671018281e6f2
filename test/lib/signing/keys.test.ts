import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCosignKeyPair, loadSigner, loadVerifier, verifierFromPem } from '../../../lib/signing/keys.ts';

/** One key pair for the file (scrypt at cosign's N=65536 takes a moment). */
const pair = generateCosignKeyPair('s3cret-pass');
const dir = mkdtempSync(join(tmpdir(), 'cs-keys-'));
const keyFile = join(dir, 'cosign.key');
const pubFile = join(dir, 'cosign.pub');
writeFileSync(keyFile, pair.privateKeyPem);
writeFileSync(pubFile, pair.publicKeyPem);

describe("cosign's key formats", () => {
  it('writes the encrypted key as cosign does: ENCRYPTED SIGSTORE PRIVATE KEY around scrypt + nacl/secretbox JSON', () => {
    const body = /-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n([\s\S]+)\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n$/.exec(pair.privateKeyPem)?.[1];
    expect(body).toBeDefined();
    const json = JSON.parse(Buffer.from((body as string).replace(/\n/g, ''), 'base64').toString('utf8')) as {
      kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
      cipher: { name: string; nonce: string };
      ciphertext: string;
    };
    expect(json.kdf).toMatchObject({ name: 'scrypt', params: { N: 65536, r: 8, p: 1 } });
    expect(Buffer.from(json.kdf.salt, 'base64')).toHaveLength(32);
    expect(json.cipher.name).toBe('nacl/secretbox');
    expect(Buffer.from(json.cipher.nonce, 'base64')).toHaveLength(24);
    expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('signs with the decrypted key and verifies with the public key; another message or key fails', () => {
    const signer = loadSigner(keyFile, { COSIGN_PASSWORD: 's3cret-pass' });
    const verifier = loadVerifier(pubFile, {});
    const sig = signer.sign(Buffer.from('payload'));
    expect(verifier.verify(Buffer.from('payload'), sig)).toBe(true);
    expect(verifier.verify(Buffer.from('payload!'), sig)).toBe(false);
    expect(verifier.verify(Buffer.from('payload'), Buffer.from('not DER'))).toBe(false);
    const other = generateCosignKeyPair('x');
    expect(verifierFromPem(other.publicKeyPem, 'other.pub').verify(Buffer.from('payload'), sig)).toBe(false);
    expect(signer.publicKeyPem).toBe(pair.publicKeyPem);
  });

  it('reads keys from env://VAR, and names the variable, never the content, when it is missing', () => {
    const signer = loadSigner('env://MY_KEY', { MY_KEY: pair.privateKeyPem, COSIGN_PASSWORD: 's3cret-pass' });
    expect(signer.source).toBe('env://MY_KEY');
    expect(() => loadVerifier('env://NOPE', {})).toThrow('verification key env://NOPE: the environment variable NOPE is not set');
    expect(() => loadVerifier('env://bad name', {})).toThrow("expected env://<VARIABLE NAME>");
  });

  it('refuses a wrong or missing password without printing key material', () => {
    let message = '';
    try {
      loadSigner(keyFile, { COSIGN_PASSWORD: 'wrong' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(`${keyFile}: cannot decrypt the key: wrong password in COSIGN_PASSWORD, or a damaged key file`);
    expect(message).not.toContain('BEGIN');
    expect(() => loadSigner(keyFile, {})).toThrow(`${keyFile}: the key is encrypted; put its password in COSIGN_PASSWORD (cosign's variable)`);
  });

  it('refuses tampered scrypt parameters before deriving (no unbounded memory)', () => {
    const body = Buffer.from(pair.privateKeyPem.split('\n').slice(1, -2).join(''), 'base64').toString('utf8');
    const json = JSON.parse(body) as { kdf: { params: { N: number } } };
    json.kdf.params.N = 2 ** 24;
    const pem = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(JSON.stringify(json)).toString('base64')}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
    expect(() => loadSigner('env://K', { K: pem, COSIGN_PASSWORD: 's3cret-pass' })).toThrow('env://K: unsupported scrypt parameters');
  });

  it('refuses keys that are not ECDSA P-256, and keys of the wrong kind', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    expect(() => verifierFromPem(p384.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'p384.pub')).toThrow('p384.pub: a secp384r1 EC key; only ECDSA P-256 keys');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => loadSigner('env://K', { K: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })).toThrow('env://K: a rsa key; only ECDSA P-256 keys');
    expect(() => loadSigner(pubFile, {})).toThrow(`${pubFile}: a public key; signing needs the private key`);
    expect(() => loadVerifier(keyFile, {})).toThrow("PEM type 'ENCRYPTED SIGSTORE PRIVATE KEY'; verification takes a public key");
    expect(() => loadVerifier(join(dir, 'missing.pub'), {})).toThrow(`verification key ${join(dir, 'missing.pub')}: cannot be read (ENOENT)`);
    expect(() => loadVerifier('env://K', { K: 'hello' })).toThrow('env://K: not a PEM key');
  });

  it('reads unencrypted PKCS#8 and SEC1 P-256 keys (what cosign import-key-pair takes)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    for (const type of ['pkcs8', 'sec1'] as const) {
      const signer = loadSigner('env://K', { K: privateKey.export({ type, format: 'pem' }).toString() });
      expect(verifierFromPem(signer.publicKeyPem, 'pub').verify(Buffer.from('x'), signer.sign(Buffer.from('x')))).toBe(true);
    }
  });
});
