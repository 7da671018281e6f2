import { RegistryError } from './errors.ts';

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly timeoutMs: number;
}

const MAX_REDIRECTS = 5;

/** `METHOD origin/path`, without query (upload state, tokens) or user info: safe to print. */
export function describeRequest(method: string, url: URL): string {
  return `${method} ${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * One HTTP exchange through Node's fetch, following redirects by hand so that
 * the Authorization header is never sent to another origin (registries
 * redirect blob downloads to object storage with signed URLs). Connection
 * failures and timeouts become retryable RegistryErrors; HTTP statuses are
 * left to the caller.
 */
export async function httpRequest(request: HttpRequest): Promise<Response> {
  let { method, url } = request;
  let headers: Record<string, string> = { ...request.headers };
  let body = request.body;
  for (let hop = 0; ; hop++) {
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
      throw new RegistryError(`${describeRequest(method, url)}: ${connectionFailure(e, request.timeoutMs)}`, { retryable: true, cause: e });
    }
    const location = response.headers.get('location');
    if (![301, 302, 303, 307, 308].includes(response.status) || !location) return response;
    await discard(response);
    if (hop >= MAX_REDIRECTS) throw new RegistryError(`${describeRequest(method, url)}: more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, url);
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    }
    if (next.protocol === 'http:' && url.protocol === 'https:') {
      throw new RegistryError(`${describeRequest(method, url)}: refusing a redirect from https to plain http (${next.host})`);
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

function connectionFailure(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return `no answer within ${Math.round(timeoutMs / 1000)}s`;
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' ? cause.message : e instanceof Error ? e.message : String(e);
  if (code === 'ECONNREFUSED') return 'connection refused (is the registry running and the address right?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code})`;
  return `connection failed: ${code ? `${code} ` : ''}${message}`.trim();
}
