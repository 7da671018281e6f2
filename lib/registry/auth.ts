import type { Credentials } from './credentials.ts';
import { TOKEN_REALMS_ENV } from './credentials.ts';
import { describeErrorBody, RegistryError } from './errors.ts';
import { describeRequest, discard, httpRequest, readLimited, readPrefix } from './http.ts';
import { printable } from './printable.ts';

/** Largest token endpoint answer we read (oras-go reads 128 KiB: a token fits in a header, at most twice). */
const MAX_TOKEN_ANSWER_BYTES = 128 * 1024;

/** One `WWW-Authenticate` challenge: scheme (lower-case) and its auth-params. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a WWW-Authenticate header (RFC 9110 §11.6.1): one or more
 * challenges, each a scheme and comma-separated `key=value` params whose
 * values may be quoted strings containing commas (`scope="repository:a:pull,push"`).
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = header.length;
  const skip = (chars: RegExp) => {
    while (i < n && chars.test(header[i] as string)) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(header[i] as string)) i++;
    return header.slice(start, i);
  };
  while (i < n) {
    skip(/[\s,]/);
    const name = token();
    if (!name) {
      i++; // not a token character: skip it rather than loop forever
      continue;
    }
    skip(/\s/);
    if (header[i] === '=' && challenges.length > 0) {
      // an auth-param of the current challenge
      i++;
      skip(/\s/);
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++; // closing quote
      } else {
        value = token();
      }
      (challenges[challenges.length - 1] as { params: Record<string, string> }).params[name.toLowerCase()] = value;
    } else {
      challenges.push({ scheme: name.toLowerCase(), params: {} });
    }
  }
  return challenges;
}

/** What a request needs: pull (read) or pull and push (write) on one repository. */
export interface Scope {
  readonly repository: string;
  readonly push: boolean;
}

function scopeString(scope: Scope): string {
  return `repository:${scope.repository}:${scope.push ? 'pull,push' : 'pull'}`;
}

interface CachedToken {
  readonly token: string;
  readonly push: boolean;
  readonly expiresAt: number;
}

export interface AuthenticatorOptions {
  readonly registry: string;
  readonly credentials: Credentials | undefined;
  /** Where the credentials came from, for messages (never the secret). */
  readonly credentialsSource: string;
  /** Whether the user accepted plain http (then credentials may travel over http too). */
  readonly plainHttp: boolean;
  /**
   * Host names besides the registry's own whose token endpoint (Bearer
   * realm) gets the credentials ($CLUSTER_STACKS_REGISTRY_TOKEN_REALMS).
   * @default - none: only a realm on the registry's host name
   */
  readonly trustedRealmHosts?: readonly string[];
  readonly timeoutMs: number;
}

/**
 * Whether the registry's credentials may go to a token endpoint: the realm's
 * host name is the registry's (any port: one host, one operator), or the
 * user named it. Docker and oras-go send them to whatever realm the
 * challenge names; this client does not, so a registry front (or a host a
 * redirect led to) cannot collect the password by naming its own realm.
 */
export function realmGetsCredentials(realm: URL, registry: string, trusted: readonly string[] = []): boolean {
  const registryHost = new URL(`http://${registry}`).hostname;
  return realm.hostname === registryHost || trusted.some((t) => t.toLowerCase() === realm.hostname || t.toLowerCase() === realm.host);
}

/**
 * The registry's auth handshake, learnt from its 401 answers: nothing
 * (anonymous), Basic with the user's credentials, or the token flow
 * (`Bearer realm,service,scope` → GET realm with Basic credentials →
 * `token`/`access_token`, cached per repository until it expires).
 */
export class Authenticator {
  private scheme: 'none' | 'basic' | 'bearer' = 'none';
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly options: AuthenticatorOptions) {}

  /** The Authorization header to send for a request with this scope, if one is known to be needed. */
  public header(scope: Scope | undefined): string | undefined {
    if (this.scheme === 'basic') return this.basic();
    if (this.scheme === 'bearer' && scope) {
      const cached = this.tokens.get(scope.repository);
      if (cached && (cached.push || !scope.push) && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    }
    return undefined;
  }

  /**
   * Handles a 401: learns the scheme and fetches a token when asked to.
   * Throws one clear error when the request cannot succeed: no credentials,
   * credentials or token rejected, or an unknown scheme.
   * @param sent the Authorization header the rejected request carried
   * @param retried whether this exchange already had a 401 (then a token we just fetched was refused)
   */
  public async unauthorized(request: string, wwwAuthenticate: string | null, body: string, scope: Scope | undefined, sent: string | undefined, retried: boolean): Promise<void> {
    const challenges = parseChallenges(wwwAuthenticate ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const detail = describeErrorBody(body, this.secrets());
    const registryAnswer = `${request}: 401 Unauthorized${detail ? ` (${detail})` : ''}`;
    if (bearer) {
      if (scope) this.tokens.delete(scope.repository);
      if (sent?.startsWith('Bearer ') && retried) {
        // A token fetched for exactly this request was refused: the account lacks access.
        throw new RegistryError(`${registryAnswer}: the registry refused the token it issued for ${scope ? scopeString(scope) : 'this request'}; the account (${this.options.credentialsSource}) has no ${scope?.push ? 'push' : 'pull'} access`, { status: 401, code: 'UNAUTHORIZED' });
      }
      this.scheme = 'bearer';
      await this.fetchToken(bearer, scope);
      return;
    }
    if (basic) {
      if (!this.options.credentials) {
        throw new RegistryError(`${registryAnswer}: ${this.options.registry} needs a username and password; none found (${this.options.credentialsSource}): set CLUSTER_STACKS_REGISTRY_USERNAME and CLUSTER_STACKS_REGISTRY_PASSWORD or use --registry-config`, { status: 401, code: 'UNAUTHORIZED' });
      }
      if (sent?.startsWith('Basic ')) {
        throw new RegistryError(`${registryAnswer}: ${this.options.registry} rejected the username and password from ${this.options.credentialsSource}`, { status: 401, code: 'UNAUTHORIZED' });
      }
      this.scheme = 'basic';
      return;
    }
    throw new RegistryError(`${registryAnswer}: no supported authentication scheme offered (WWW-Authenticate: ${printable(challenges.map((c) => c.scheme).join(', ')) || 'none'})`, { status: 401, code: 'UNAUTHORIZED' });
  }

  /**
   * Every secret this authenticator holds (password, Basic value, tokens),
   * to scrub from text a server sends back before it goes into a message.
   */
  public secrets(): string[] {
    const c = this.options.credentials;
    const basic = this.basic()?.slice('Basic '.length);
    return [...(c ? [c.password] : []), ...(basic ? [basic] : []), ...[...this.tokens.values()].map((t) => t.token)];
  }

  private basic(): string | undefined {
    const c = this.options.credentials;
    return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}` : undefined;
  }

  private async fetchToken(challenge: Challenge, scope: Scope | undefined): Promise<void> {
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryError(`${this.options.registry}: Bearer challenge without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`${this.options.registry}: Bearer challenge realm '${printable(realm)}' is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RegistryError(`${this.options.registry}: Bearer realm '${printable(realm)}' is not http(s)`);
    url.username = '';
    url.password = '';
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    // The registry's scope says what this request needs; ask for push too when we will push.
    const scopes = new Set((challenge.params.scope ?? '').split(' ').filter((s) => s !== ''));
    if (scope) scopes.add(scopeString(scope));
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { Accept: 'application/json' };
    const basic = this.basic();
    const trusted = realmGetsCredentials(url, this.options.registry, this.options.trustedRealmHosts);
    if (basic && trusted) {
      if (url.protocol === 'http:' && !this.options.plainHttp) {
        throw new RegistryError(`token endpoint ${url.origin}${printable(url.pathname)} is plain http; refusing to send credentials over it (pass --plain-http to allow plain http)`);
      }
      headers.Authorization = basic;
    }
    const what = describeRequest('GET', url);
    const { response, url: answeredBy } = await httpRequest({ method: 'GET', url, headers, timeoutMs: this.options.timeoutMs });
    if (response.status === 401 && answeredBy.origin !== url.origin) {
      await discard(response);
      throw foreignUnauthorized(what, url, answeredBy, `the token endpoint ${url.host}`);
    }
    const text = (response.ok ? await readLimited(response, MAX_TOKEN_ANSWER_BYTES, what) : await readPrefix(response, MAX_TOKEN_ANSWER_BYTES)).toString('utf8');
    const detail = describeErrorBody(text, this.secrets());
    if (response.status === 401 || response.status === 403) {
      if (basic && !trusted) {
        throw new RegistryError(
          `${what}: ${response.status} (${detail || 'no detail'}): the token endpoint ${url.host} that ${this.options.registry} names is on another host, so it was asked without the credentials for ${this.options.registry}, and it refused; ` +
            `if ${url.hostname} is the token service of ${this.options.registry}, allow it with ${TOKEN_REALMS_ENV}=${url.hostname}`,
          { status: response.status, code: 'UNAUTHORIZED' },
        );
      }
      throw new RegistryError(`${what}: ${response.status} (${detail || 'no detail'}): the token endpoint rejected ${basic ? `the username and password from ${this.options.credentialsSource}` : 'anonymous access; set CLUSTER_STACKS_REGISTRY_USERNAME and CLUSTER_STACKS_REGISTRY_PASSWORD or use --registry-config'}`, { status: response.status, code: 'UNAUTHORIZED' });
    }
    if (!response.ok) {
      throw new RegistryError(`${what}: ${response.status} from the token endpoint${detail ? ` (${detail})` : ''}`, { status: response.status, retryable: response.status >= 500 || response.status === 429 });
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new RegistryError(`${what}: the token endpoint did not answer JSON`);
    }
    const token = typeof body.token === 'string' && body.token ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
    if (!token) throw new RegistryError(`${what}: the token endpoint's answer has neither 'token' nor 'access_token'`);
    // The spec's default lifetime is 60 s; renew a little early.
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    const repository = scope?.repository ?? '';
    this.tokens.set(repository, { token, push: scope?.push ?? false, expiresAt: Date.now() + Math.max(1, lifetime - 10) * 1000 });
  }
}

/**
 * The error for a 401 from another origin than the one the credentials are
 * for: a host a redirect led to (blob downloads go to object storage), or an
 * upload Location elsewhere. Credentials never go there, so this is no
 * question of a wrong password; the host is named so the user sees where the
 * request ended up.
 */
export function foreignUnauthorized(request: string, asked: URL, answeredBy: URL, credentialsFor: string): RegistryError {
  const how = answeredBy.origin === asked.origin ? `${answeredBy.host} answered` : `redirected to ${answeredBy.host}, which answered`;
  return new RegistryError(
    `${request}: ${how} 401 Unauthorized; credentials are only sent to ${credentialsFor}, never to another host, so ${answeredBy.host} must accept the request without them (e.g. a signed URL)`,
    { status: 401, code: 'FOREIGN_UNAUTHORIZED' },
  );
}
