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
export function parseErrorBody(text: string): { code: string; message: string }[] {
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

/** `CODE: message; CODE2: message2`, or a short, printable excerpt of a non-JSON body. */
export function describeErrorBody(text: string): string {
  const errors = parseErrorBody(text);
  if (errors.length > 0) return errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ');
  const plain = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}

/**
 * Replaces every occurrence of a secret (and its base64 forms as they appear
 * in Basic credentials) with `***`. A last line of defence for text that
 * comes from elsewhere (a registry echoing a header, a token endpoint's
 * error page); our own messages never contain secrets in the first place.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 3) continue;
    out = out.split(s).join('***');
  }
  return out.replace(/(authorization:\s*(?:basic|bearer)\s+)[A-Za-z0-9+/=._~-]+/gi, '$1***');
}
