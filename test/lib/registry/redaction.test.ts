import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { realmGetsCredentials } from '../../../lib/registry/auth.ts';
import { trustedTokenRealms } from '../../../lib/registry/credentials.ts';
import { describeErrorBody, MAX_DETAIL_CHARS, redact } from '../../../lib/registry/errors.ts';
import { isPrintable, printable, printableJson } from '../../../lib/registry/printable.ts';

/**
 * Redaction and escaping of what a registry sends back, as properties: a
 * random secret placed anywhere in a random echoed body never survives into
 * the message, however the body encodes or cuts it.
 */

const USER = 'publisher';

// Secrets: upper-case letters, digits, ASCII punctuation (with the JSON
// specials `"` and `\`), space and non-ASCII letters and symbols. Filler:
// lower-case letters, whitespace and terminal controls. The two alphabets
// share nothing, so any 4 characters of the secret in the output are a leak.
const SECRET_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()+,-./:;<=>?@[]^_{|}~"\\\' ', 'ä', 'ö', 'ü', 'ß', 'é', '€', 'Ω', '中', '😀', 'ﬁ', 'Å'];
const FILLER_CHARS = [...'abcdefghijklmnopqrstuvwxyz', ' ', '\n', '\t', '\x1b', '\x9b', '\u202e', '\x07'];
const secretArb = fc.string({ unit: fc.constantFrom(...SECRET_CHARS), minLength: 4, maxLength: 48 });
const fillerArb = (max: number) => fc.string({ unit: fc.constantFrom(...FILLER_CHARS), maxLength: max });

/** What the authenticator holds for a password: the password and the Basic value made from it. */
const secretsFor = (password: string) => [password, Buffer.from(`${USER}:${password}`, 'utf8').toString('base64')];

/** Go's encoding/json: non-ASCII stays, but `<`, `>`, `&` become \u003c …; here also every non-ASCII character, as some servers write. */
const goJson = (s: string) => JSON.stringify(s).replace(/[<>&]|[^\x20-\x7e]/g, (c) => (c.length === 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : [...c].map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')));

/** Every 4 consecutive characters of the secret: none may appear in the output. */
function expectNoLeak(output: string, secret: string): void {
  const units = [...secret];
  for (let i = 0; i + 4 <= units.length; i++) {
    const window = units.slice(i, i + 4).join('');
    if (output.includes(window)) throw new Error(`leaked '${window}' of the secret in: ${output}`);
  }
  expect(output.includes(Buffer.from(`${USER}:${secret}`, 'utf8').toString('base64'))).toBe(false);
}

/** Bodies a registry or token endpoint could echo a secret in. */
const bodyArb = fc.tuple(secretArb, fillerArb(260), fillerArb(260), fc.integer({ min: 0, max: 7 }), fc.nat()).map(([secret, before, after, kind, cut]) => {
  const basic = Buffer.from(`${USER}:${secret}`, 'utf8').toString('base64');
  const bodies = [
    // JSON error, the secret in the message (standard escaping)
    JSON.stringify({ errors: [{ code: 'denied', message: `${before}${secret}${after}`, detail: secret }] }),
    // JSON error written with \u escapes for everything non-ASCII
    `{"errors":[{"code":"denied","message":${goJson(`${before}${secret}${after}`)}}]}`,
    // plain text
    `${before}${secret}${after}`,
    // an echoed request header
    `${before}Authorization: Basic ${basic}\r\nProxy-Authorization: Bearer ${secret}${after}`,
    // a token answer in an error page
    `${before}{"token":${JSON.stringify(secret)},"access_token":${goJson(secret)}}${after}`,
    // a query string / form
    `${before}?password=${encodeURIComponent(secret)}&x=1 ${after}`,
    // cut by the server inside the secret (at least 4 characters of it left)
    `${before}${secret}`.slice(0, before.length + 4 + (cut % Math.max(1, secret.length - 3))),
    // the secret straddling the excerpt's length limit
    `${'x'.repeat(Math.max(0, MAX_DETAIL_CHARS - 2 - (cut % 6)))}${secret}${after}`,
  ];
  return { secret, body: bodies[kind] as string };
});

describe('redaction of registry answers', () => {
  it('never lets 4 characters of a secret through, wherever and however it is echoed', () => {
    fc.assert(
      fc.property(bodyArb, ({ secret, body }) => {
        const shown = describeErrorBody(body, secretsFor(secret));
        expectNoLeak(shown, secret);
        expect(isPrintable(shown)).toBe(true);
        expect(shown.length).toBeLessThanOrEqual(MAX_DETAIL_CHARS + 1);
      }),
      { numRuns: 1500 },
    );
  });

  it('scrubs tokens the client holds from JSON, text and headers', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.'), minLength: 8, maxLength: 80 }), fillerArb(100), (token, filler) => {
        for (const body of [`{"details":"${token}"}`, `${filler} ${token} ${filler}`, `WWW-Authenticate: Bearer ${token}`, `{"errors":[{"code":"denied","message":"bad token ${token}"}]}`]) {
          expectNoLeak(describeErrorBody(body, [token]), token);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('shows no answer at all while a secret is too short to scrub', () => {
    expect(describeErrorBody('{"errors":[{"code":"DENIED","message":"bad password abc"}]}', ['abc'])).toBe('(answer not shown: a credential is too short to scrub from it)');
    expect(describeErrorBody('', ['ab'])).toBe('');
  });

  it('redacts before it cuts: a secret across the limit leaves no half behind', () => {
    const secret = 'Pässwörd-€-1234567890';
    const body = `${'x'.repeat(MAX_DETAIL_CHARS - 5)}${secret} and more text after it`;
    expect(describeErrorBody(body, [secret])).toBe(`${'x'.repeat(MAX_DETAIL_CHARS - 5)}*** a…`);
    // Before the fix the excerpt was cut first and the password's non-ASCII characters replaced, so redaction missed it.
    expect(describeErrorBody(`message: ${secret}`, [secret])).toBe('message: ***');
    expect(describeErrorBody(JSON.stringify({ errors: [{ code: 'DENIED', message: `Pa${goJson(secret).slice(1, -1)}` }] }), [secret])).toBe('DENIED: Pa***');
  });

  it('keeps the existing forms', () => {
    expect(redact('echo: Authorization: Basic dXNlcjpwYXNz and pass s3cret', ['s3cret'])).toBe('echo: Authorization: Basic *** and pass ***');
    expect(redact('{"Authorization":"Bearer abc.def"}', [])).toBe('{"Authorization":"Bearer ***"}');
    expect(redact('{"access_token":"zzz","n":1}', [])).toBe('{"access_token":"***","n":1}');
  });
});

describe('printable: no terminal escape sequence from a registry', () => {
  it('escapes C0, DEL, C1, separators and bidi controls, and nothing else', () => {
    expect(printable('red \x1b[31mX\x1b[0m bell\x07 csi\x9b1m del\x7f nl\n cr\r tab\t')).toBe('red \\x1b[31mX\\x1b[0m bell\\x07 csi\\x9b1m del\\x7f nl\\n cr\\r tab\\t');
    expect(printable('rtl \u202eevil\u202c ls\u2028 iso\u2066')).toBe('rtl \\u202eevil\\u202c ls\\u2028 iso\\u2066');
    expect(printable('Grüße, 中文, 😀, plain ASCII ~!')).toBe('Grüße, 中文, 😀, plain ASCII ~!');
  });

  it('leaves nothing a terminal acts on, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0x206f }).map((c) => String.fromCharCode(c)), maxLength: 200 }), (s) => {
        const out = printable(s);
        return !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(out) && isPrintable(out);
      }),
      { numRuns: 300 },
    );
  });

  it('writes JSON that reads back the same and holds no raw control character', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 40 })), (value) => {
        const text = printableJson(value);
        expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
        expect(JSON.parse(text)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('which token endpoint gets the credentials', () => {
  it('the registry host name (any port) only, unless the user named another host', () => {
    expect(realmGetsCredentials(new URL('https://ghcr.io/token'), 'ghcr.io')).toBe(true);
    expect(realmGetsCredentials(new URL('http://127.0.0.1:9999/token'), '127.0.0.1:5000')).toBe(true);
    expect(realmGetsCredentials(new URL('https://registry.example.com:8443/service/token'), 'registry.example.com')).toBe(true);
    expect(realmGetsCredentials(new URL('https://auth.docker.io/token'), 'registry-1.docker.io')).toBe(false);
    expect(realmGetsCredentials(new URL('https://auth.docker.io/token'), 'registry-1.docker.io', ['auth.docker.io'])).toBe(true);
    expect(realmGetsCredentials(new URL('https://evil.example/token'), 'registry.example.com', ['auth.docker.io'])).toBe(false);
    expect(realmGetsCredentials(new URL('https://registry.example.com.evil.example/token'), 'registry.example.com')).toBe(false);
    expect(realmGetsCredentials(new URL('http://localhost:1/token'), '127.0.0.1:5000')).toBe(false);
    expect(realmGetsCredentials(new URL('http://[::1]:1/token'), '[::1]:5000')).toBe(true);
  });

  it('reads CLUSTER_STACKS_REGISTRY_TOKEN_REALMS', () => {
    expect(trustedTokenRealms({})).toEqual([]);
    expect(trustedTokenRealms({ CLUSTER_STACKS_REGISTRY_TOKEN_REALMS: 'auth.docker.io, Login.Example.com:8443,' })).toEqual(['auth.docker.io', 'login.example.com:8443']);
    expect(() => trustedTokenRealms({ CLUSTER_STACKS_REGISTRY_TOKEN_REALMS: 'https://auth.docker.io/token' })).toThrow("CLUSTER_STACKS_REGISTRY_TOKEN_REALMS: 'https://auth.docker.io/token' is not a host name (expected e.g. auth.docker.io)");
  });
});
