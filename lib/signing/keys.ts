import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scryptSync, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { secretbox } from '@noble/ciphers/salsa.js';

/**
 * Keys in cosign's formats, for key-based signing of releases:
 *
 * - private: cosign's encrypted key (`-----BEGIN ENCRYPTED SIGSTORE PRIVATE
 *   KEY-----`, or the older `ENCRYPTED COSIGN PRIVATE KEY`), a PEM block
 *   whose body is the JSON of go-securesystemslib's `encrypted` package:
 *   scrypt (N, r, p, 32-byte salt) derives a 32-byte key that opens a
 *   nacl/secretbox (XSalsa20-Poly1305, 24-byte nonce) holding the PKCS#8 DER
 *   of the key. The password is `$COSIGN_PASSWORD`, as for cosign.
 *   Unencrypted PKCS#8 (`PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`) PEM, which
 *   `cosign import-key-pair` accepts, are read too.
 * - public: PEM `PUBLIC KEY` (SubjectPublicKeyInfo), what `cosign.pub` holds.
 *
 * Only ECDSA P-256 with SHA-256, cosign's default: signatures are ASN.1 DER,
 * base64 where cosign stores them. Key material is never put into messages;
 * they name where the key came from.
 */

/** Something that signs: a key here; a keyless (Fulcio) signer would add its certificate as annotations. */
export interface Signer {
  /** Where the key came from, for messages (`cosign.key`, `env://COSIGN_KEY`). */
  readonly source: string;
  /** ECDSA P-256 / SHA-256 signature of `data`, ASN.1 DER. */
  sign(data: Uint8Array): Buffer;
  /** The public half, PEM, to check a signature this signer made. */
  readonly publicKeyPem: string;
  /**
   * Extra annotations of a signature layer: what cosign puts beside the
   * signature for keyless signing (`dev.sigstore.cosign/certificate`,
   * `…/chain`, `…/bundle`). None for a key.
   */
  readonly annotations: Readonly<Record<string, string>>;
}

/** Something that checks signatures: a public key here. */
export interface SignatureVerifier {
  readonly source: string;
  verify(data: Uint8Array, signature: Uint8Array): boolean;
}

/** Largest key file or variable read: keys are a few hundred bytes. */
const MAX_KEY_BYTES = 64 * 1024;

/** The PEM types of cosign's encrypted private keys (cosign v2 writes the first). */
const ENCRYPTED_KEY_PEM_TYPES = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'] as const;

/**
 * The scrypt parameters go-securesystemslib accepts (Legacy, Standard,
 * OWASP); anything else is refused before deriving, as cosign does, so a
 * tampered key file cannot make us spend unbounded memory or time.
 */
const SCRYPT_PARAMS: readonly { N: number; r: number; p: number }[] = [
  { N: 32768, r: 8, p: 1 },
  { N: 65536, r: 8, p: 1 },
  { N: 131072, r: 8, p: 1 },
];
/** cosign generate-key-pair's choice ("Standard"). */
const DEFAULT_SCRYPT = { N: 65536, r: 8, p: 1 } as const;

/** A key reference: a file path, or `env://NAME` for the PEM text in an environment variable (cosign's own scheme). */
function readKeyText(reference: string, env: NodeJS.ProcessEnv, what: string): { text: string; source: string } {
  if (reference.startsWith('env://')) {
    const name = reference.slice('env://'.length);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${what} '${reference}': expected env://<VARIABLE NAME>`);
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${what} ${reference}: the environment variable ${name} is not set`);
    if (Buffer.byteLength(value) > MAX_KEY_BYTES) throw new Error(`${what} ${reference}: longer than ${MAX_KEY_BYTES} bytes, not a key`);
    return { text: value, source: reference };
  }
  let fd: number;
  try {
    fd = openSync(reference, 'r');
  } catch (e) {
    throw new Error(`${what} ${reference}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${what} ${reference}: not a regular file`);
    const buffer = Buffer.alloc(MAX_KEY_BYTES + 1);
    let length = 0;
    for (let n; length <= MAX_KEY_BYTES && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > MAX_KEY_BYTES) throw new Error(`${what} ${reference}: larger than ${MAX_KEY_BYTES} bytes, not a key`);
    return { text: buffer.subarray(0, length).toString('utf8'), source: reference };
  } finally {
    closeSync(fd);
  }
}

interface PemBlock {
  readonly type: string;
  readonly der: Buffer;
}

/** The first PEM block of a text. */
function parsePem(text: string, source: string): PemBlock {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END \1-----/.exec(text);
  if (!m) throw new Error(`${source}: not a PEM key (no -----BEGIN …----- block)`);
  return { type: m[1] as string, der: Buffer.from((m[2] as string).replace(/[\r\n]/g, ''), 'base64') };
}

function pem(type: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

function assertP256(key: KeyObject, source: string): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw new Error(`${source}: a ${key.asymmetricKeyType === 'ec' ? `${curve ?? 'unknown'} EC` : (key.asymmetricKeyType ?? 'unknown')} key; only ECDSA P-256 keys (cosign's default) are supported`);
  }
}

/** The JSON inside cosign's encrypted key PEM (go-securesystemslib `encrypted`). */
interface EncryptedKeyJson {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

function decryptCosignKey(body: Buffer, password: string, source: string): Buffer {
  let data: EncryptedKeyJson;
  try {
    data = JSON.parse(body.toString('utf8')) as EncryptedKeyJson;
  } catch {
    throw new Error(`${source}: the encrypted key is not cosign's JSON format`);
  }
  if (data?.kdf?.name !== 'scrypt') throw new Error(`${source}: unsupported key derivation '${String(data?.kdf?.name)}' (cosign keys use scrypt)`);
  if (data.cipher?.name !== 'nacl/secretbox') throw new Error(`${source}: unsupported cipher '${String(data.cipher?.name)}' (cosign keys use nacl/secretbox)`);
  const params = data.kdf.params;
  if (!SCRYPT_PARAMS.some((p) => p.N === params?.N && p.r === params.r && p.p === params.p)) {
    throw new Error(`${source}: unsupported scrypt parameters (cosign writes N=32768, 65536 or 131072 with r=8, p=1)`);
  }
  const salt = Buffer.from(String(data.kdf.salt), 'base64');
  const nonce = Buffer.from(String(data.cipher.nonce), 'base64');
  const ciphertext = Buffer.from(String(data.ciphertext), 'base64');
  if (nonce.length !== 24) throw new Error(`${source}: the secretbox nonce is not 24 bytes`);
  const key = scryptSync(Buffer.from(password, 'utf8'), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem: 256 * 1024 * 1024 });
  try {
    return Buffer.from(secretbox(key, nonce).open(ciphertext));
  } catch {
    throw new Error(`${source}: cannot decrypt the key: wrong password in COSIGN_PASSWORD, or a damaged key file`);
  }
}

function encryptCosignKey(pkcs8: Buffer, password: string): Buffer {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = scryptSync(Buffer.from(password, 'utf8'), salt, 32, { ...DEFAULT_SCRYPT, maxmem: 256 * 1024 * 1024 });
  const ciphertext = Buffer.from(secretbox(key, nonce).seal(pkcs8));
  // Field order as Go's encoding/json writes the struct; readers do not depend on it.
  const json: EncryptedKeyJson = {
    kdf: { name: 'scrypt', params: { ...DEFAULT_SCRYPT }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: ciphertext.toString('base64'),
  };
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/**
 * Loads a private key for signing from a file or `env://NAME`. An encrypted
 * cosign key needs its password in `COSIGN_PASSWORD` (may be empty, as cosign
 * allows); a missing variable is an error, never a prompt.
 */
export function loadSigner(reference: string, env: NodeJS.ProcessEnv = process.env): Signer {
  const { text, source } = readKeyText(reference, env, 'signing key');
  const block = parsePem(text, source);
  let key: KeyObject;
  if ((ENCRYPTED_KEY_PEM_TYPES as readonly string[]).includes(block.type)) {
    const password = env.COSIGN_PASSWORD;
    if (password === undefined) throw new Error(`${source}: the key is encrypted; put its password in COSIGN_PASSWORD (cosign's variable)`);
    const der = decryptCosignKey(block.der, password, source);
    key = parsePrivateDer(der, 'pkcs8', source);
  } else if (block.type === 'PRIVATE KEY') {
    key = parsePrivateDer(block.der, 'pkcs8', source);
  } else if (block.type === 'EC PRIVATE KEY') {
    key = parsePrivateDer(block.der, 'sec1', source);
  } else if (block.type === 'PUBLIC KEY') {
    throw new Error(`${source}: a public key; signing needs the private key (cosign.key), verifying takes the public one`);
  } else {
    throw new Error(`${source}: PEM type '${block.type}' is not a private key cosign writes (ENCRYPTED SIGSTORE PRIVATE KEY)`);
  }
  assertP256(key, source);
  const publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return { source, publicKeyPem, annotations: {}, sign: (data) => sign('sha256', data, key) };
}

function parsePrivateDer(der: Buffer, type: 'pkcs8' | 'sec1', source: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type });
  } catch {
    throw new Error(`${source}: the private key inside is not valid ${type === 'pkcs8' ? 'PKCS#8' : 'SEC1'} DER`);
  }
}

/** Loads a public key (PEM `PUBLIC KEY`, as in cosign.pub) from a file or `env://NAME`. */
export function loadVerifier(reference: string, env: NodeJS.ProcessEnv = process.env): SignatureVerifier {
  const { text, source } = readKeyText(reference, env, 'verification key');
  return verifierFromPem(text, source);
}

export function verifierFromPem(text: string, source: string): SignatureVerifier {
  const block = parsePem(text, source);
  if (block.type !== 'PUBLIC KEY') {
    throw new Error(`${source}: PEM type '${block.type}'; verification takes a public key (-----BEGIN PUBLIC KEY-----, e.g. cosign.pub)`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block.der, format: 'der', type: 'spki' });
  } catch {
    throw new Error(`${source}: not a valid public key`);
  }
  assertP256(key, source);
  return {
    source,
    verify: (data, signature) => {
      try {
        return verify('sha256', data, key, signature);
      } catch {
        return false; // a signature that is not DER at all
      }
    },
  };
}

/**
 * A new ECDSA P-256 key pair in cosign's formats: the private key encrypted
 * with `password` exactly as `cosign generate-key-pair` writes it, and the
 * public key PEM.
 */
export function generateCosignKeyPair(password: string): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  return {
    privateKeyPem: pem(ENCRYPTED_KEY_PEM_TYPES[0], encryptCosignKey(pkcs8, password)),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
