import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Authenticator, foreignUnauthorized, type Scope } from './auth.ts';
import type { Credentials } from './credentials.ts';
import { digestFile, isSha256Digest, sha256Digest } from './digest.ts';
import { describeErrorBody, RegistryError } from './errors.ts';
import { describeRequest, discard, httpRequest, readLimited, readPrefix, type HttpRequest } from './http.ts';
import { MANIFEST_ACCEPT } from './media-types.ts';
import { printable } from './printable.ts';
import { assertRepository, assertTag } from './reference.ts';
import { DEFAULT_RETRY, parseRetryAfter, retryDelay, withRetry, type RetryNotice, type RetryPolicy } from './retry.ts';

/** Content to upload: its digest and size are known before the upload starts. */
export interface BlobSource {
  readonly digest: string;
  readonly size: number;
  /** `length` bytes from `offset`. */
  read(offset: number, length: number): Promise<Buffer>;
}

/** A blob held in memory. */
export function bufferBlob(data: Buffer): BlobSource {
  return { digest: sha256Digest(data), size: data.length, read: async (offset, length) => data.subarray(offset, offset + length) };
}

/** A blob read from a file on demand (digested once, up front). */
export async function fileBlob(path: string): Promise<BlobSource> {
  const { digest, size } = await digestFile(path);
  return {
    digest,
    size,
    read: async (offset, length) => {
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        if (bytesRead !== length) throw new Error(`${path}: changed while uploading (short read at ${offset})`);
        return buffer;
      } finally {
        await handle.close();
      }
    },
  };
}

/** A content descriptor: what a manifest says about a blob. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What the client is doing, for progress output and tests (e.g. to kill a registry at a chosen moment). */
export type RegistryEvent =
  | { readonly kind: 'blob-exists'; readonly repository: string; readonly digest: string; readonly size: number }
  | { readonly kind: 'blob-mounted'; readonly repository: string; readonly digest: string; readonly size: number; readonly from: string }
  | { readonly kind: 'blob-progress'; readonly repository: string; readonly digest: string; readonly sent: number; readonly size: number }
  | { readonly kind: 'blob-uploaded'; readonly repository: string; readonly digest: string; readonly size: number; readonly chunked: boolean }
  | { readonly kind: 'manifest-pushed'; readonly repository: string; readonly reference: string; readonly digest: string }
  | ({ readonly kind: 'retry' } & RetryNotice);

export interface RegistryClientOptions {
  /** `host[:port]`. */
  readonly registry: string;
  /** Talk http instead of https. @default false */
  readonly plainHttp?: boolean;
  /** @default - anonymous */
  readonly credentials?: Credentials;
  /** Where the credentials came from, for messages. @default 'anonymous' or 'the given credentials' */
  readonly credentialsSource?: string;
  /** Token endpoint hosts besides the registry's own that get the credentials. @default - none */
  readonly trustedTokenRealms?: readonly string[];
  /** @default DEFAULT_RETRY: 5 tries, 0.5 s doubling to 8 s, at most 60 s */
  readonly retry?: Partial<RetryPolicy>;
  /** Blobs larger than this are uploaded in chunks (PATCH). @default 16 MiB */
  readonly chunkThreshold?: number;
  /** Size of one PATCH (raised to the registry's OCI-Chunk-Min-Length). @default 8 MiB */
  readonly chunkSize?: number;
  /** Timeout of one request; transfers get one more second per MB. @default 60 s */
  readonly requestTimeoutMs?: number;
  /** Called (and awaited) for each event. */
  readonly onEvent?: (event: RegistryEvent) => void | Promise<void>;
}

/** Largest manifest we read: the distribution registry's own limit is 4 MiB. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** How much of an error answer we read (its excerpt in a message is far shorter). */
const MAX_ERROR_BYTES = 64 * 1024;
/** Bound on `Link` pages, against a registry that links in a circle. */
const MAX_TAG_PAGES = 10_000;

interface Exchange {
  readonly method: HttpRequest['method'];
  /** Path below the registry root (`/v2/...`) or an absolute URL (upload locations, Link targets). */
  readonly target: string | URL;
  readonly scope: Scope | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/**
 * An OCI distribution API client (distribution spec v1.1) on Node's fetch:
 * blob existence checks, monolithic and chunked (resumable) uploads, cross-
 * repository mounts, manifests, paginated tag lists and verified blob
 * downloads, with anonymous, Basic and Bearer-token authentication and
 * bounded retries. One client talks to one registry.
 */
export class RegistryClient {
  public readonly registry: string;
  private readonly base: URL;
  private readonly auth: Authenticator;
  private readonly retry: RetryPolicy;
  private readonly chunkThreshold: number;
  private readonly chunkSize: number;
  private readonly timeoutMs: number;
  private readonly onEvent: ((event: RegistryEvent) => void | Promise<void>) | undefined;

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.base = new URL(`${options.plainHttp ? 'http' : 'https'}://${options.registry}`);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.chunkThreshold = options.chunkThreshold ?? 16 * 1024 * 1024;
    this.chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
    if (!(this.chunkSize > 0)) throw new Error(`chunk size must be positive, got ${this.chunkSize}`);
    this.timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.onEvent = options.onEvent;
    this.auth = new Authenticator({
      registry: options.registry,
      credentials: options.credentials,
      credentialsSource: options.credentialsSource ?? (options.credentials ? 'the given credentials' : 'anonymous'),
      plainHttp: options.plainHttp ?? false,
      ...(options.trustedTokenRealms ? { trustedRealmHosts: options.trustedTokenRealms } : {}),
      timeoutMs: this.timeoutMs,
    });
  }

  /** Whether the repository has the blob (HEAD). A size that differs from `size` is an error. */
  public async blobExists(repository: string, digest: string, size?: number): Promise<boolean> {
    assertRepository(repository);
    return this.retrying(`check blob ${digest}`, () => this.headBlob(repository, digest, size));
  }

  private async headBlob(repository: string, digest: string, size: number | undefined): Promise<boolean> {
    const response = await this.send({ method: 'HEAD', target: `/v2/${repository}/blobs/${digest}`, scope: { repository, push: false } });
    await discard(response);
    if (response.status === 404) return false;
    if (response.status !== 200) throw await this.failure('HEAD', `/v2/${repository}/blobs/${digest}`, response);
    const length = response.headers.get('content-length');
    if (size !== undefined && length !== null && Number(length) !== size) {
      throw new RegistryError(`${this.registry}/${repository}: blob ${digest} has ${printable(length)} bytes in the registry, expected ${size}`);
    }
    return true;
  }

  /**
   * Uploads a blob unless the repository has it: HEAD first, then a mount
   * from `mountFrom` (another repository of this registry) if given, else a
   * monolithic upload (POST, then PUT with the digest) or, above the chunk
   * threshold, a chunked one (PATCH with Content-Range) that resumes from the
   * registry's offset after a dropped connection.
   */
  public async pushBlob(repository: string, blob: BlobSource, options: { mountFrom?: string } = {}): Promise<'exists' | 'mounted' | 'uploaded'> {
    assertRepository(repository);
    if (!isSha256Digest(blob.digest)) throw new Error(`blob digest '${blob.digest}' is not a sha256 digest`);
    return this.retrying(`upload blob ${blob.digest}`, async () => {
      if (await this.headBlob(repository, blob.digest, blob.size)) {
        await this.emit({ kind: 'blob-exists', repository, digest: blob.digest, size: blob.size });
        return 'exists';
      }
      const start = await this.startUpload(repository, blob.digest, options.mountFrom);
      if (start.mounted) {
        await this.emit({ kind: 'blob-mounted', repository, digest: blob.digest, size: blob.size, from: options.mountFrom ?? '' });
        return 'mounted';
      }
      const chunked = blob.size > this.chunkThreshold;
      const location = chunked ? await this.uploadChunks(repository, blob, start.location, start.minChunk) : start.location;
      const data = chunked ? undefined : await blob.read(0, blob.size);
      await this.finishUpload(repository, blob.digest, location, data);
      await this.emit({ kind: 'blob-uploaded', repository, digest: blob.digest, size: blob.size, chunked });
      return 'uploaded';
    });
  }

  /**
   * PUTs a manifest under a tag (or its digest) and checks the digest the
   * registry computed. Callers push every blob first, so a tag never points
   * at missing content.
   */
  public async pushManifest(repository: string, reference: string, manifest: Buffer, mediaType: string): Promise<string> {
    assertRepository(repository);
    if (!isSha256Digest(reference)) assertTag(reference);
    const digest = sha256Digest(manifest);
    const path = `/v2/${repository}/manifests/${reference}`;
    return this.retrying(`push manifest ${reference}`, async () => {
      const response = await this.send({ method: 'PUT', target: path, scope: { repository, push: true }, headers: { 'Content-Type': mediaType }, body: manifest });
      if (response.status !== 201) throw await this.failure('PUT', path, response);
      await discard(response);
      const theirs = response.headers.get('docker-content-digest');
      if (theirs && theirs !== digest) throw new RegistryError(`PUT ${this.registry}${path}: the registry computed ${printable(theirs)} for a manifest whose digest is ${digest}`);
      await this.emit({ kind: 'manifest-pushed', repository, reference, digest });
      return digest;
    });
  }

  /** The manifest a tag points at (HEAD), or undefined when the tag does not exist. */
  public async resolve(repository: string, reference: string): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
    assertRepository(repository);
    const path = `/v2/${repository}/manifests/${reference}`;
    const head = await this.retrying(`resolve ${reference}`, async () => {
      const response = await this.send({ method: 'HEAD', target: path, scope: { repository, push: false }, headers: { Accept: MANIFEST_ACCEPT.join(', ') } });
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw await this.failure('HEAD', path, response);
      return { digest: response.headers.get('docker-content-digest'), mediaType: response.headers.get('content-type') ?? '', size: Number(response.headers.get('content-length') ?? '0') };
    });
    if (!head) return undefined;
    if (head.digest && isSha256Digest(head.digest)) return { digest: head.digest, mediaType: head.mediaType, size: head.size };
    // No (usable) digest header: fetch the manifest and digest it ourselves.
    const manifest = await this.getManifest(repository, reference);
    return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.length };
  }

  /** A manifest's bytes, verified against the digest the registry states (and the reference, if a digest). */
  public async getManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_ACCEPT): Promise<{ bytes: Buffer; digest: string; mediaType: string }> {
    assertRepository(repository);
    const path = `/v2/${repository}/manifests/${reference}`;
    return this.retrying(`get manifest ${reference}`, async () => {
      const response = await this.send({ method: 'GET', target: path, scope: { repository, push: false }, headers: { Accept: accept.join(', ') } });
      if (response.status !== 200) throw await this.failure('GET', path, response);
      const bytes = await readLimited(response, MAX_MANIFEST_BYTES, `GET ${this.registry}${path}`);
      const digest = sha256Digest(bytes);
      const stated = isSha256Digest(reference) ? reference : response.headers.get('docker-content-digest');
      if (stated && stated !== digest) throw new RegistryError(`GET ${this.registry}${path}: manifest content has digest ${digest}, but the ${isSha256Digest(reference) ? 'reference' : 'registry'} says ${printable(stated)}`);
      return { bytes, digest, mediaType: (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '' };
    });
  }

  /**
   * Every tag of a repository, following `Link: <…>; rel="next"` pages of
   * `pageSize` (`?n=`). Registries that ignore `n` answer in one page.
   * A repository that does not exist has no tags.
   */
  public async listTags(repository: string, pageSize = 1000): Promise<string[]> {
    assertRepository(repository);
    const tags: string[] = [];
    const seen = new Set<string>();
    let next: URL | undefined = new URL(`/v2/${repository}/tags/list?n=${pageSize}`, this.base);
    for (let page = 0; next; page++) {
      if (page >= MAX_TAG_PAGES || seen.has(next.href)) throw new RegistryError(`${this.registry}/${repository}: tag list pagination does not end (page ${page + 1}, ${printable(`${next.pathname}${next.search}`)})`);
      seen.add(next.href);
      const url: URL = next;
      const result = await this.retrying(`list tags of ${repository}`, async () => {
        const response = await this.send({ method: 'GET', target: url, scope: { repository, push: false }, headers: { Accept: 'application/json' } });
        if (response.status === 404 && page === 0) {
          const text = (await readPrefix(response, MAX_ERROR_BYTES)).toString('utf8');
          if (/NAME_UNKNOWN/.test(text)) return { tags: [] as string[], link: null };
          throw await this.failure('GET', url.pathname, response, text);
        }
        if (response.status !== 200) throw await this.failure('GET', url.pathname, response);
        const text = (await readLimited(response, 64 * 1024 * 1024, `GET ${this.registry}${url.pathname}`)).toString('utf8');
        let body: { tags?: unknown };
        try {
          body = JSON.parse(text) as { tags?: unknown };
        } catch {
          throw new RegistryError(`GET ${this.registry}${url.pathname}: the tag list is not JSON`);
        }
        const pageTags = body.tags === null || body.tags === undefined ? [] : body.tags;
        if (!Array.isArray(pageTags) || pageTags.some((t) => typeof t !== 'string')) throw new RegistryError(`GET ${this.registry}${url.pathname}: 'tags' is not a list of strings`);
        return { tags: pageTags as string[], link: response.headers.get('link') };
      });
      tags.push(...result.tags);
      next = nextLink(result.link, url);
    }
    return tags;
  }

  /**
   * Downloads a blob and verifies its size and digest. `sink` receives the
   * bytes of one try; `restart` is called before a retry so the caller can
   * drop a partial result.
   */
  public async fetchBlob(repository: string, descriptor: Pick<Descriptor, 'digest' | 'size'>, sink: { write(chunk: Buffer): Promise<void> | void; restart(): Promise<void> | void }): Promise<void> {
    assertRepository(repository);
    if (!isSha256Digest(descriptor.digest)) throw new RegistryError(`blob digest '${descriptor.digest}' is not a sha256 digest; only sha256 is supported`);
    const path = `/v2/${repository}/blobs/${descriptor.digest}`;
    const where = `GET ${this.registry}${path}`;
    await this.retrying(`download blob ${descriptor.digest}`, async (attempt) => {
      if (attempt > 1) await sink.restart();
      const response = await this.send({ method: 'GET', target: path, scope: { repository, push: false }, timeoutMs: this.transferTimeout(descriptor.size) });
      if (response.status !== 200) throw await this.failure('GET', path, response);
      const hash = createHash('sha256');
      let received = 0;
      if (response.body) {
        try {
          for await (const chunk of response.body) {
            const bytes = Buffer.from(chunk as Uint8Array);
            received += bytes.length;
            if (received > descriptor.size) {
              await discard(response);
              throw new RegistryError(`${where}: the registry sent more than the ${descriptor.size} bytes the manifest states`);
            }
            hash.update(bytes);
            await sink.write(bytes);
          }
        } catch (e) {
          if (e instanceof RegistryError) throw e;
          throw new RegistryError(`${where}: download broke off after ${received} bytes: ${(e as Error).message}`, { retryable: true, cause: e });
        }
      }
      if (received !== descriptor.size) throw new RegistryError(`${where}: received ${received} bytes, the manifest states ${descriptor.size}`, { retryable: received < descriptor.size });
      const digest = `sha256:${hash.digest('hex')}`;
      if (digest !== descriptor.digest) throw new RegistryError(`${where}: content digest is ${digest}, expected ${descriptor.digest}: the blob is corrupted`);
    });
  }

  /** A small blob's bytes (config blobs), verified. */
  public async fetchBlobBytes(repository: string, descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
    let chunks: Buffer[] = [];
    await this.fetchBlob(repository, descriptor, { write: (c) => void chunks.push(c), restart: () => void (chunks = []) });
    return Buffer.concat(chunks);
  }

  // --- uploads -------------------------------------------------------------

  private async startUpload(repository: string, digest: string, mountFrom: string | undefined): Promise<{ mounted: true } | { mounted: false; location: URL; minChunk: number }> {
    const query = mountFrom ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}` : '';
    const path = `/v2/${repository}/blobs/uploads/${query}`;
    const response = await this.send({ method: 'POST', target: path, scope: { repository, push: true } });
    if (mountFrom && response.status === 201) {
      await discard(response);
      return { mounted: true };
    }
    if (response.status !== 202) throw await this.failure('POST', `/v2/${repository}/blobs/uploads/`, response);
    await discard(response);
    const location = response.headers.get('location');
    if (!location) throw new RegistryError(`POST ${this.registry}/v2/${repository}/blobs/uploads/: 202 without a Location header`);
    const minChunk = Number(response.headers.get('oci-chunk-min-length') ?? '0');
    return { mounted: false, location: new URL(location, this.base), minChunk: Number.isFinite(minChunk) ? minChunk : 0 };
  }

  /** PATCHes the blob in chunks; returns the location to finish the upload at. */
  private async uploadChunks(repository: string, blob: BlobSource, start: URL, minChunk: number): Promise<URL> {
    const chunk = Math.max(this.chunkSize, minChunk);
    const scope = { repository, push: true };
    let location = start;
    let offset = 0;
    let resumes = 0;
    while (offset < blob.size) {
      const length = Math.min(chunk, blob.size - offset);
      const data = await blob.read(offset, length);
      const end = offset + length - 1;
      try {
        const response = await this.send({
          method: 'PATCH',
          target: location,
          scope,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${end}` },
          body: data,
          timeoutMs: this.transferTimeout(length),
        });
        if (response.status !== 202) throw await this.failure('PATCH', location.pathname, response);
        await discard(response);
        const next = response.headers.get('location');
        if (next) location = new URL(next, this.base);
        const range = parseRange(response.headers.get('range'));
        if (range !== undefined && range !== end) throw new RegistryError(`PATCH ${this.registry}${printable(location.pathname)}: the registry holds bytes 0-${range}, expected 0-${end}`);
        offset = end + 1;
        await this.emit({ kind: 'blob-progress', repository, digest: blob.digest, sent: offset, size: blob.size });
      } catch (e) {
        if (!(e instanceof RegistryError) || !e.retryable || ++resumes >= this.retry.attempts) throw e;
        const delayMs = retryDelay(this.retry, resumes, e.retryAfterMs);
        await this.emit({ kind: 'retry', what: `upload chunk ${offset}-${end} of ${blob.digest}`, attempt: resumes, delayMs, reason: e.message });
        await sleep(delayMs);
        // Ask the registry how far it got (it may have stored the chunk before the connection broke).
        const status = await this.send({ method: 'GET', target: location, scope });
        if (status.status !== 204) {
          // The upload session is gone (e.g. the registry restarted without a shared secret): start over.
          await discard(status);
          throw new RegistryError(`${describeRequest('GET', location)}: upload session lost (${status.status})`, { retryable: true, cause: e });
        }
        await discard(status);
        const next = status.headers.get('location');
        if (next) location = new URL(next, this.base);
        const range = parseRange(status.headers.get('range'));
        offset = range === undefined ? 0 : range + 1;
      }
    }
    return location;
  }

  private async finishUpload(repository: string, digest: string, location: URL, data: Buffer | undefined): Promise<void> {
    const url = new URL(`${location.href}${location.search ? '&' : '?'}digest=${encodeURIComponent(digest)}`);
    const response = await this.send({
      method: 'PUT',
      target: url,
      scope: { repository, push: true },
      headers: { 'Content-Type': 'application/octet-stream' },
      body: data ?? Buffer.alloc(0),
      timeoutMs: this.transferTimeout(data?.length ?? 0),
    });
    if (response.status !== 201) throw await this.failure('PUT', location.pathname, response);
    await discard(response);
    const theirs = response.headers.get('docker-content-digest');
    if (theirs && theirs !== digest) throw new RegistryError(`PUT ${this.registry}${printable(location.pathname)}: the registry stored ${printable(theirs)}, expected ${digest}`);
  }

  // --- plumbing ------------------------------------------------------------

  private transferTimeout(bytes: number): number {
    return this.timeoutMs + Math.ceil(bytes / 1_000_000) * 1000;
  }

  private async emit(event: RegistryEvent): Promise<void> {
    await this.onEvent?.(event);
  }

  private retrying<T>(what: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    return withRetry(`${what} (${this.registry})`, this.retry, fn, (notice) => this.emit({ kind: 'retry', ...notice }));
  }

  /**
   * One request with authentication: answers a 401 challenge once (fetching
   * a token or switching to Basic). Credentials and tokens only ever go to
   * the registry's own origin: not to a host an upload Location points at,
   * not to a host a redirect leads to (http.ts drops them there), and a 401
   * from such a host is an error naming it, never a new challenge to answer.
   */
  private async send(exchange: Exchange & { timeoutMs?: number }): Promise<Response> {
    const url = typeof exchange.target === 'string' ? new URL(exchange.target, this.base) : exchange.target;
    const what = describeRequest(exchange.method, url);
    const own = url.origin === this.base.origin;
    for (let round = 0; ; round++) {
      const authorization = own ? this.auth.header(exchange.scope) : undefined;
      const { response, url: answeredBy } = await httpRequest({
        method: exchange.method,
        url,
        headers: { 'User-Agent': 'cluster-stacks', ...exchange.headers, ...(authorization ? { Authorization: authorization } : {}) },
        ...(exchange.body === undefined ? {} : { body: exchange.body }),
        timeoutMs: exchange.timeoutMs ?? this.timeoutMs,
      });
      if (response.status !== 401) return response;
      if (answeredBy.origin !== this.base.origin) {
        await discard(response);
        throw foreignUnauthorized(what, url, answeredBy, this.registry);
      }
      if (round >= 2) return response;
      const body = exchange.method === 'HEAD' ? '' : (await readPrefix(response, MAX_ERROR_BYTES)).toString('utf8');
      await discard(response);
      await this.auth.unauthorized(what, response.headers.get('www-authenticate'), body, exchange.scope, authorization, round > 0);
    }
  }

  /** The RegistryError for an unexpected answer: status, the registry's error codes, retryable for 5xx and 429. */
  private async failure(method: string, path: string, response: Response, text?: string): Promise<RegistryError> {
    const body = text ?? (method === 'HEAD' ? '' : (await readPrefix(response, MAX_ERROR_BYTES)).toString('utf8'));
    const detail = describeErrorBody(body, this.auth.secrets());
    const code = /^([A-Z_]+)(?::|$)/.exec(detail)?.[1];
    const retryable = response.status >= 500 || response.status === 429;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return new RegistryError(`${method} ${this.base.protocol}//${this.registry}${printable(path.split('?')[0] ?? '')}: ${response.status} ${printable(response.statusText)}${detail ? ` (${detail})` : ''}`, {
      status: response.status,
      ...(code ? { code } : {}),
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
}

/** The end offset of a `Range: 0-<end>` header (distribution writes it without a unit). */
function parseRange(value: string | null): number | undefined {
  if (!value) return undefined;
  const m = /^(?:bytes=)?0-([0-9]+)$/.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

/** The `rel="next"` target of a Link header, resolved against the current page. */
export function nextLink(header: string | null, current: URL): URL | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(?:^|;)\s*rel="?next"?\s*(?:;|$)/i.test(m[2] as string)) {
      const next = new URL(m[1] as string, current);
      if (next.origin !== current.origin) throw new RegistryError(`tag list Link header points to another host (${next.host})`);
      return next;
    }
  }
  return undefined;
}
