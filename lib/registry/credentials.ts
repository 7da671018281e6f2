import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Username and password for a registry (or its token endpoint). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Where credentials were found, for a message that names the source but never the secret. */
export interface ResolvedCredentials {
  readonly credentials: Credentials | undefined;
  /** e.g. `$CLUSTER_STACKS_REGISTRY_USERNAME/_PASSWORD`, `/home/u/.docker/config.json`, `anonymous`. */
  readonly source: string;
}

const USERNAME_ENV = 'CLUSTER_STACKS_REGISTRY_USERNAME';
const PASSWORD_ENV = 'CLUSTER_STACKS_REGISTRY_PASSWORD';
/** Comma-separated host names of token endpoints that get the credentials besides the registry's own host. */
export const TOKEN_REALMS_ENV = 'CLUSTER_STACKS_REGISTRY_TOKEN_REALMS';

/**
 * The token endpoint hosts the user trusts with the registry's credentials
 * ($CLUSTER_STACKS_REGISTRY_TOKEN_REALMS, e.g. `auth.docker.io` for Docker
 * Hub, whose registry is registry-1.docker.io).
 */
export function trustedTokenRealms(env: NodeJS.ProcessEnv): string[] {
  const value = env[TOKEN_REALMS_ENV] ?? '';
  const hosts = value.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  for (const h of hosts) {
    if (!/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/.test(h)) {
      throw new Error(`${TOKEN_REALMS_ENV}: '${h}' is not a host name (expected e.g. auth.docker.io)`);
    }
  }
  return hosts;
}

/**
 * Credentials for `registry`, first found wins:
 *
 * 1. `$CLUSTER_STACKS_REGISTRY_USERNAME` and `$CLUSTER_STACKS_REGISTRY_PASSWORD` (both or neither);
 * 2. `configPath` (`--registry-config`), a docker-style config.json; it must exist;
 * 3. `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, when present.
 *
 * In a config file, `auths[<registry>]` (also matched as `https://<registry>`,
 * `http://<registry>` or with a path, as `docker login` writes them) gives
 * `auth` (base64 of `user:password`) or `username` and `password`.
 * Credential helpers (`credsStore`, `credHelpers`) and identity tokens are
 * not supported: a registry left to a helper is accessed anonymously, and
 * the source says why, so an authentication error explains itself.
 * No entry for the registry means anonymous access.
 */
export function resolveCredentials(registry: string, options: { env?: NodeJS.ProcessEnv; configPath?: string; home?: string } = {}): ResolvedCredentials {
  const env = options.env ?? process.env;
  const username = env[USERNAME_ENV];
  const password = env[PASSWORD_ENV];
  if (username || password) {
    if (!username || !password) {
      throw new Error(`set both ${USERNAME_ENV} and ${PASSWORD_ENV}, or neither (only ${username ? USERNAME_ENV : PASSWORD_ENV} is set)`);
    }
    return { credentials: { username, password }, source: `$${USERNAME_ENV}/$${PASSWORD_ENV}` };
  }
  if (options.configPath !== undefined) {
    if (!existsSync(options.configPath)) throw new Error(`--registry-config ${options.configPath}: no such file`);
    return fromConfig(options.configPath, registry);
  }
  const dockerConfig = env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(options.home ?? homedir(), '.docker', 'config.json');
  if (existsSync(dockerConfig)) return fromConfig(dockerConfig, registry);
  return { credentials: undefined, source: 'anonymous' };
}

interface DockerAuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

/** The host[:port] of an auths key: `https://ghcr.io/v1/` → `ghcr.io`. */
function authsKeyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

function fromConfig(path: string, registry: string): ResolvedCredentials {
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not a valid docker config.json: ${(e as Error).message}`);
  }
  if (config === null || typeof config !== 'object') throw new Error(`${path}: not a valid docker config.json: expected a JSON object`);
  const { auths, credsStore, credHelpers } = config as { auths?: unknown; credsStore?: unknown; credHelpers?: unknown };
  const host = registry.toLowerCase();
  const entries = auths !== null && typeof auths === 'object' ? Object.entries(auths as Record<string, unknown>) : [];
  const match = entries.find(([k]) => authsKeyHost(k) === host);
  if (!match) {
    const helper = credHelpers !== null && typeof credHelpers === 'object' ? (credHelpers as Record<string, unknown>)[host] : undefined;
    if (typeof helper === 'string' || typeof credsStore === 'string') {
      // Not an error: Docker Desktop sets credsStore for every registry, and
      // public registries need no credentials. Should this one need them, the
      // authentication error names this source and says why none were found.
      return {
        credentials: undefined,
        source: `anonymous: ${path} leaves ${registry} to a credential helper (${typeof helper === 'string' ? `credHelpers: ${helper}` : `credsStore: ${String(credsStore)}`}), which is not supported; set ${USERNAME_ENV} and ${PASSWORD_ENV} instead`,
      };
    }
    return { credentials: undefined, source: `anonymous (no entry for ${registry} in ${path})` };
  }
  const where = `${path}: auths["${match[0]}"]`;
  const entry = (match[1] ?? {}) as DockerAuthEntry;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || colon === decoded.length - 1) throw new Error(`${where}.auth is not the base64 of 'username:password'`);
    return { credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }, source: path };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username && entry.password) {
    return { credentials: { username: entry.username, password: entry.password }, source: path };
  }
  if (typeof entry.identitytoken === 'string') {
    throw new Error(`${where} holds an identity token (OAuth2 refresh token), which is not supported; set ${USERNAME_ENV} and ${PASSWORD_ENV} instead`);
  }
  throw new Error(`${where} has neither 'auth' nor 'username' and 'password'`);
}
