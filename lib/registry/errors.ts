import { printable } from './printable.ts';

/**
 * One error type for everything that goes wrong talking to a registry, with
 * what the user needs to act on it: the operation, the HTTP status and the
 * registry's own error code and message (distribution spec error JSON).
 * Messages are built from the request line and the registry's answer only,
 * never from request headers, so credentials cannot end up in them.
 */
export class RegistryError extends Error {
  public readonly status: number | undefined;
  /** The first error code of the registry's error JSON (e.g. MANIFEST_UNKNOWN, UNAUTHORIZED). */
  public readonly code: string | undefined;
  /** Whether trying again may help: 5xx, 429 and connection failures. */
  public readonly retryable: boolean;
  /** A registry's Retry-After, for the retry delay. */
  public readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { status?: number; code?: string; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.status = options.status;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The distribution spec's error body: `{"errors":[{"code","message","detail"}]}`. */
function parseErrorBody(text: string): { code: string; message: string }[] {
  try {
    const body = JSON.parse(text) as unknown;
    const errors = (body as { errors?: unknown } | null)?.errors;
    if (!Array.isArray(errors)) return [];
    return errors
      .filter((e): e is { code?: unknown; message?: unknown } => e !== null && typeof e === 'object')
      .map((e) => ({ code: typeof e.code === 'string' ? e.code : 'UNKNOWN', message: typeof e.message === 'string' ? e.message : '' }));
  } catch {
    return [];
  }
}

/** Longest excerpt of a registry's answer that goes into a message. */
export const MAX_DETAIL_CHARS = 200;

/**
 * Secrets shorter than this cannot be scrubbed from text without destroying
 * it (a two-letter password matches half the words of any answer): when one
 * is held, a registry's answer is not shown at all.
 */
const MIN_REDACTABLE_SECRET = 4;

const WITHHELD = '(answer not shown: a credential is too short to scrub from it)';

/**
 * A registry's error answer as it may be printed: `CODE: message; CODE2:
 * message2` from the distribution spec's error JSON, else an excerpt of the
 * text. In this order, so nothing can undo the redaction:
 *
 * 1. every secret is scrubbed from the raw text (`redact`);
 * 2. the JSON is parsed (or, for text, JSON-style escapes `\u00e4` `\"` are
 *    decoded) and the result is scrubbed again, catching secrets the
 *    encoding had hidden;
 * 3. characters a terminal would act on are escaped (`printable`);
 * 4. only then is the excerpt cut to MAX_DETAIL_CHARS.
 */
export function describeErrorBody(text: string, secrets: readonly string[] = []): string {
  if (secrets.some((s) => s.length > 0 && s.length < MIN_REDACTABLE_SECRET)) return text.trim() === '' ? '' : WITHHELD;
  const scrubbed = redact(text, secrets);
  const errors = parseErrorBody(scrubbed);
  const described =
    errors.length > 0
      ? errors.map((e) => (e.message ? `${redact(e.code, secrets)}: ${redact(e.message, secrets)}` : redact(e.code, secrets))).join('; ')
      : redact(decodeJsonEscapes(scrubbed), secrets);
  const shown = printable(described.replace(/\s+/g, ' ').trim());
  return shown.length > MAX_DETAIL_CHARS ? `${shown.slice(0, MAX_DETAIL_CHARS)}…` : shown;
}

/** `\uXXXX`, `\"`, `\\`, `\/` as JSON writes them, decoded; anything else left as it is. */
function decodeJsonEscapes(text: string): string {
  return text.replace(/\\(?:u([0-9a-fA-F]{4})|(["\\/]))/g, (_m, hex: string | undefined, c: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : (c as string)));
}

/**
 * The spellings a secret can have in a server's answer: as it is, Unicode
 * normalized (NFC/NFD), JSON-escaped (also with every non-ASCII character as
 * `\uXXXX`, as Go's encoder writes `<`, `>`, `&`), URL-encoded, and base64
 * (standard and URL-safe, as in Basic credentials). Longest first, so a
 * longer form is replaced before a shorter one inside it.
 */
function secretForms(secret: string): string[] {
  const forms = new Set<string>();
  for (const s of [secret, secret.normalize('NFC'), secret.normalize('NFD')]) {
    forms.add(s);
    const json = JSON.stringify(s).slice(1, -1);
    forms.add(json);
    const ascii = json.replace(/[^\x20-\x7e]|[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    forms.add(ascii);
    forms.add(ascii.replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\u${h.toUpperCase()}`));
    forms.add(encodeURIComponent(s));
    forms.add(encodeURIComponent(s).replace(/%20/g, '+'));
    const base64 = Buffer.from(s, 'utf8').toString('base64');
    forms.add(base64);
    forms.add(base64.replace(/=+$/, ''));
    forms.add(Buffer.from(s, 'utf8').toString('base64url'));
  }
  return [...forms].filter((f) => f.length >= MIN_REDACTABLE_SECRET).sort((a, b) => b.length - a.length);
}

/** Header-like and JSON-like places where credentials travel, whatever their value. */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  // Authorization: Basic xxx / "Authorization":"Bearer xxx" / Proxy-Authorization
  [/(authorization\\?"?\s*[:=]\s*\\?"?\s*(?:basic|bearer)\s+)[^\s"\\,;]+/gi, '$1***'],
  // "token": "…", "access_token": "…", "refresh_token", "password", "secret", with escaped quotes too
  [/((?:\\?")(?:token|access_token|refresh_token|id_token|identitytoken|password|secret)\\?"\s*:\s*\\?")((?:[^"\\]|\\.)*)(\\?")/gi, '$1***$3'],
  // password=…, token=… in query strings and form bodies
  [/(\b(?:password|passwd|token|access_token|refresh_token)=)[^&\s"]+/gi, '$1***'],
];

/**
 * Replaces every occurrence of a secret, in every spelling `secretForms`
 * knows, with `***`, and the value of anything that looks like a credential
 * (an Authorization header, a `"token"` or `"password"` JSON field, a
 * `password=` parameter). A secret the server cut off at the end of its
 * answer (or that starts the answer, cut at the front) is scrubbed too, down
 * to MIN_REDACTABLE_SECRET characters. A last line of defence for text that
 * comes from elsewhere (a registry echoing a header, a token endpoint's
 * error page); our own messages never contain secrets in the first place.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  const forms = [...new Set(secrets.flatMap((s) => secretForms(s)))].sort((a, b) => b.length - a.length);
  for (const f of forms) out = out.split(f).join('***');
  for (const f of forms) {
    for (let k = f.length - 1; k >= MIN_REDACTABLE_SECRET; k--) {
      if (out.endsWith(f.slice(0, k))) {
        out = `${out.slice(0, out.length - k)}***`;
        break;
      }
    }
    for (let k = f.length - 1; k >= MIN_REDACTABLE_SECRET; k--) {
      if (out.startsWith(f.slice(f.length - k))) {
        out = `***${out.slice(k)}`;
        break;
      }
    }
  }
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
