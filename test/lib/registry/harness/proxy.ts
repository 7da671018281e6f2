import { createServer, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';

export interface ProxyRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface ProxyResponse {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Decides what happens to one request: forward it (possibly changed), answer
 * it, change the upstream answer, or `'drop'` the connection without an answer.
 */
export type ProxyHandler = (request: ProxyRequest, forward: (override?: Partial<ProxyRequest>) => Promise<ProxyResponse>) => Promise<ProxyResponse | 'drop'>;

/**
 * An HTTP proxy on 127.0.0.1 in front of a test registry, for faults a real
 * registry does not make on its own: flipped bytes, dropped connections,
 * 5xx answers, paginated tag lists. The Host header is passed through, so
 * the registry writes the proxy's address into Location headers and the
 * client stays on the proxy.
 */
export class LoopbackProxy {
  public static async start(upstream: string, handler: ProxyHandler = (_r, forward) => forward()): Promise<LoopbackProxy> {
    const proxy = new LoopbackProxy(upstream, handler);
    await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', () => r()));
    return proxy;
  }

  /** `METHOD path` of every request, in order. */
  public readonly requests: string[] = [];
  private readonly server: Server;

  private constructor(private readonly upstream: string, handler: ProxyHandler) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request: ProxyRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
        this.requests.push(`${request.method} ${request.path}`);
        handler(request, (override) => this.forward({ ...request, ...override }))
          .then((answer) => {
            if (answer === 'drop') {
              req.socket.destroy();
              return;
            }
            const headers: OutgoingHttpHeaders = { ...answer.headers };
            delete headers['transfer-encoding'];
            if (request.method !== 'HEAD') headers['content-length'] = String(answer.body.length);
            res.writeHead(answer.status, headers);
            res.end(request.method === 'HEAD' ? undefined : answer.body);
          })
          .catch(() => req.socket.destroy());
      });
    });
  }

  /** `127.0.0.1:<port>`. */
  public get host(): string {
    const address = this.server.address();
    return `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private forward(request: ProxyRequest): Promise<ProxyResponse> {
    const [hostname, port] = this.upstream.split(':');
    return new Promise((resolveForward, reject) => {
      const headers = { ...request.headers };
      delete headers['content-length'];
      const upstream = httpRequest(
        { hostname, port: Number(port), method: request.method, path: request.path, headers: { ...headers, 'content-length': String(request.body.length) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolveForward({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(request.body);
    });
  }
}

/**
 * A handler that pages `GET /v2/<name>/tags/list` the way the distribution
 * spec describes (sorted, `n` and `last`, `Link: <…>; rel="next"`) — the
 * Debian registry (distribution 2.8) ignores `n` and answers in one page.
 */
export function paginateTags(pages: { count: number }): ProxyHandler {
  return async (request, forward) => {
    const url = new URL(request.path, 'http://proxy');
    const m = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (request.method !== 'GET' || !m) return forward();
    const full = await forward({ path: url.pathname });
    if (full.status !== 200) return full;
    const all = ((JSON.parse(full.body.toString('utf8')) as { tags: string[] | null }).tags ?? []).sort();
    const n = Number(url.searchParams.get('n') ?? all.length);
    const last = url.searchParams.get('last');
    const rest = last === null ? all : all.filter((t) => t > last);
    const page = rest.slice(0, n);
    pages.count++;
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' };
    if (rest.length > n && page.length > 0) headers.link = `</v2/${m[1]}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1] as string)}>; rel="next"`;
    return { status: 200, headers, body: Buffer.from(JSON.stringify({ name: m[1], tags: page })) };
  };
}
