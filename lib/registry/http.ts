import { assertMayConnect } from '../process/offline-start.ts';
import { RegistryError } from './errors.ts';
import { printable } from './printable.ts';

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly timeoutMs: number;
}

const MAX_REDIRECTS = 5;

/**
 * `METHOD origin/path`, without query (upload state, tokens) or user info:
 * safe to print (the path may come from a registry's Location header).
 */
export function describeRequest(method: string, url: URL): string {
  return `${method} ${url.protocol}//${url.host}${printable(url.pathname)}`;
}

/** An answer and the URL that gave it (another one than asked after a redirect). */
export interface HttpAnswer {
  readonly response: Response;
  readonly url: URL;
}

/**
 * One HTTP exchange through Node's fetch, following redirects by hand so that
 * the Authorization header is never sent to another origin (registries
 * redirect blob downloads to object storage with signed URLs). Returns the
 * answer with the URL that gave it, so the caller can tell a 401 of the
 * registry from one of a redirect target. Connection failures and timeouts
 * become retryable RegistryErrors, a TLS handshake with a plain-http server
 * a final one; HTTP statuses are left to the caller.
 */
export async function httpRequest(request: HttpRequest): Promise<HttpAnswer> {
  let { method, url } = request;
  let headers: Record<string, string> = { ...request.headers };
  let body = request.body;
  for (let hop = 0; ; hop++) {
    assertMayConnect(url);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
    } catch (e) {
      if (url.protocol === 'https:' && speaksPlainHttp(e)) {
        throw new RegistryError(`${describeRequest(method, url)}: ${url.host} does not speak TLS (the TLS handshake got a plain-http answer: wrong version number); for a registry without TLS pass --plain-http`, { cause: e });
      }
      throw new RegistryError(`${describeRequest(method, url)}: ${connectionFailure(e, request.timeoutMs)}`, { retryable: true, cause: e });
    }
    const location = response.headers.get('location');
    if (![301, 302, 303, 307, 308].includes(response.status) || !location) return { response, url };
    await discard(response);
    if (hop >= MAX_REDIRECTS) throw new RegistryError(`${describeRequest(method, url)}: more than ${MAX_REDIRECTS} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new RegistryError(`${describeRequest(method, url)}: redirect to '${printable(location)}', which is not a URL`);
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RegistryError(`${describeRequest(method, url)}: redirect to a ${printable(next.protocol)} URL; only http(s) is followed`);
    // Credentials in a Location are a server's, not ours to send on.
    next.username = '';
    next.password = '';
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    }
    if (next.protocol === 'http:' && url.protocol === 'https:') {
      throw new RegistryError(`${describeRequest(method, url)}: refusing a redirect from https to plain http (${printable(next.host)})`);
    }
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method !== 'GET' && method !== 'HEAD')) {
      method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-/i.test(k)));
    }
    url = next;
  }
}

/** Reads and drops a body so the connection can be reused. */
export async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // the connection is going away anyway
  }
}

/**
 * Whether a failed https request met a server that answers plain http: the
 * TLS record layer then reads "HTTP/1.1 400" as a record header and OpenSSL
 * reports a wrong version number (or a record too long). Retrying cannot help.
 */
function speaksPlainHttp(e: unknown): boolean {
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const message = typeof cause?.message === 'string' ? cause.message : '';
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_HTTP_REQUEST' || /wrong version number|packet length too long|http request/i.test(message);
}

function connectionFailure(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return `no answer within ${Math.round(timeoutMs / 1000)}s`;
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' ? cause.message : e instanceof Error ? e.message : String(e);
  if (code === 'ECONNREFUSED') return 'connection refused (is the registry running and the address right?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code})`;
  return printable(`connection failed: ${code ? `${code} ` : ''}${message}`.trim());
}

/** A response body, refusing more than `limit` bytes. */
export async function readLimited(response: Response, limit: number, where: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (declared > limit) {
    await discard(response);
    throw new RegistryError(`${where}: ${declared} bytes, more than the ${limit} this client reads`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (response.body) {
    try {
      for await (const chunk of response.body) {
        const bytes = Buffer.from(chunk as Uint8Array);
        total += bytes.length;
        if (total > limit) {
          await discard(response);
          throw new RegistryError(`${where}: more than the ${limit} bytes this client reads`);
        }
        chunks.push(bytes);
      }
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      throw new RegistryError(`${where}: the answer broke off after ${total} bytes: ${(e as Error).message}`, { retryable: true, cause: e });
    }
  }
  return Buffer.concat(chunks);
}

/**
 * At most the first `limit` bytes of a body (an error answer, for its
 * excerpt); the rest is dropped, and a body that breaks off gives what came.
 * A secret cut at the end is scrubbed by `redact`.
 */
export async function readPrefix(response: Response, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body) {
        const bytes = Buffer.from(chunk as Uint8Array);
        chunks.push(bytes.subarray(0, limit - total));
        total += Math.min(bytes.length, limit - total);
        if (total >= limit) break;
      }
    }
  } catch {
    // what came is enough for a message
  }
  await discard(response);
  const bytes = Buffer.concat(chunks);
  return total >= limit ? bytes.subarray(0, completeUtf8Length(bytes)) : bytes;
}

/** The length of `bytes` without a UTF-8 sequence cut off at its end (so a cut character does not become U+FFFD). */
function completeUtf8Length(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const b = bytes[bytes.length - back] as number;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}
