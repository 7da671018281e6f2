import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pullCommand } from '../../../cli/commands/pull.ts';
import { RegistryClient, type RegistryEvent } from '../../../lib/registry/client.ts';
import { readReleaseArtifact, type ReleaseArtifact } from '../../../lib/registry/release-artifact.ts';
import { makeRelease, REGISTRY_SUITE, runOci } from './harness/fixtures.ts';
import { LoopbackProxy } from './harness/proxy.ts';
import { LocalRegistry } from './harness/registry.ts';
import { TokenServer } from './harness/token-server.ts';

/**
 * §3 of issue 11 against real servers on loopback: the registry's
 * credentials go to its own origin only (not to a host a redirect leads to,
 * not to a token endpoint on another host unless the user allows it),
 * secrets a server echoes never reach the output, and nothing a registry
 * sends can put a terminal escape sequence on the user's screen.
 * `localhost` and `127.0.0.1` are the same machine but two origins.
 */

const USER = 'publisher';
const PASSWORD = 'PÄSS-€-"<&>\\-ÜNÏ-Ω-9Z7Q!X2-ÆØ';
const REPO = 'private/releases';
const TAG = 'docker-scs-1-34-v1';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`, 'utf8').toString('base64')}`;
const envCredentials = { CLUSTER_STACKS_REGISTRY_USERNAME: USER, CLUSTER_STACKS_REGISTRY_PASSWORD: PASSWORD };

/** No 4 consecutive characters of the password, and not the Basic value, anywhere in the text. */
function expectNoSecrets(text: string): void {
  const units = [...PASSWORD];
  for (let i = 0; i + 4 <= units.length; i++) expect(text, `leaked '${units.slice(i, i + 4).join('')}'`).not.toContain(units.slice(i, i + 4).join(''));
  expect(text).not.toContain(BASIC.slice('Basic '.length));
}

/** Characters a terminal acts on; only the line feeds that end our own lines may be printed raw. */
const TERMINAL_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const servers: Server[] = [];
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe.runIf(REGISTRY_SUITE)('credentials stay with their origin (htpasswd registry, redirects to another origin)', () => {
  let registry: LocalRegistry;
  let work: string;
  let artifact: ReleaseArtifact;
  const proxies: LoopbackProxy[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-oci-leaks-'));
    let release: string;
    [registry, release] = await Promise.all([LocalRegistry.start({ auth: { kind: 'htpasswd', username: USER, password: PASSWORD } }), makeRelease(join(work, 'release'))]);
    artifact = await readReleaseArtifact(release);
    const published = await runOci(['publish', release, '--registry', registry.host, '--repository', REPO, '--plain-http'], { env: envCredentials });
    expect(published.err).toBe('');
  });
  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /**
   * A "storage" host on another origin that answers every request with a
   * 401 challenge and records every Authorization header it sees, and a
   * proxy in front of the registry that redirects blob downloads there.
   */
  const redirectingRegistry = async (challenge: (storage: string) => string) => {
    const seen: { path: string; authorization: string | undefined }[] = [];
    let storage = '';
    const port = await serve((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      if ((req.url ?? '').startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: 'issued-by-the-redirect-target' }));
        return;
      }
      res.writeHead(401, { 'www-authenticate': challenge(storage), 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    });
    storage = `localhost:${port}`;
    const proxy = await LoopbackProxy.start(registry.host, async (request, forward) => {
      const m = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(request.path);
      if (request.method === 'GET' && m) return { status: 307, headers: { location: `http://${storage}/bucket/${m[1]}?signature=abc` }, body: Buffer.alloc(0) };
      return forward();
    });
    proxies.push(proxy);
    return { proxy, storage, seen };
  };

  it.each([
    ['a Bearer challenge naming its own token endpoint', (storage: string) => `Bearer realm="http://${storage}/token",service="storage",scope="repository:${REPO}:pull"`],
    ['a Basic challenge', () => 'Basic realm="storage"'],
  ])('a 401 from a redirect target with %s is an error naming that host; it never sees the credentials', async (_what, challenge) => {
    const { proxy, storage, seen } = await redirectingRegistry(challenge);
    const out = join(work, 'redirected');
    const result = await runOci(['pull', TAG, '--registry', proxy.host, '--repository', REPO, '--plain-http', '--output-dir', out], { env: envCredentials });
    const first = artifact.layers[0] as ReleaseArtifact['layers'][number];
    expect(result.err).toBe(
      `error: ${first.name}: GET http://${proxy.host}/v2/${REPO}/blobs/${first.digest}: redirected to ${storage}, which answered 401 Unauthorized; ` +
        `credentials are only sent to ${proxy.host}, never to another host, so ${storage} must accept the request without them (e.g. a signed URL)\n`,
    );
    expect(result.code).toBe(1);
    // The redirect target was asked once, without credentials, and its token endpoint never.
    expect(seen).toEqual([{ path: `/bucket/${first.digest}?signature=abc`, authorization: undefined }]);
    expectNoSecrets(result.out + result.err);
    expect(existsSync(out)).toBe(false);
  });

  it('a registry answer that echoes the credentials is scrubbed: JSON with \\u escapes, headers, and a password cut by the server', async () => {
    const goJson = (s: string) => JSON.stringify(s).replace(/[<>&]|[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    let variant = 0;
    const proxy = await LoopbackProxy.start(registry.host, async (request, forward) => {
      if (request.method !== 'PUT' || !request.path.includes('/manifests/') || !request.headers.authorization) return forward();
      const sent = request.headers.authorization;
      const bodies = [
        `{"errors":[{"code":"MANIFEST_INVALID","message":${goJson(`bad request: Authorization: ${sent}; password ${PASSWORD}`)}}]}`,
        `proxy says: ${PASSWORD}`.slice(0, 'proxy says: '.length + 22),
        `${'x'.repeat(190)} ${PASSWORD} tail`,
        `{"errors":[{"code":"DENIED","message":"header echo","detail":{"Authorization":"${sent}"}}]} Authorization: ${sent}`,
      ];
      return { status: 400, headers: { 'content-type': 'application/json' }, body: Buffer.from(bodies[variant++ % bodies.length] as string, 'utf8') };
    });
    proxies.push(proxy);
    const changed = await makeRelease(join(work, 'echo'), { version: 'v2' });
    for (let i = 0; i < 4; i++) {
      const result = await runOci(['publish', changed, '--registry', proxy.host, '--repository', `echo/r${i}`, '--plain-http'], { env: envCredentials });
      expect(result.code).toBe(1);
      expect(result.err).toMatch(new RegExp(`^error: PUT http://${proxy.host}/v2/echo/r${i}/manifests/docker-scs-1-34-v2: 400 Bad Request`));
      expectNoSecrets(result.out + result.err);
    }
  });
});

describe.runIf(REGISTRY_SUITE)('token endpoint on another host (registry with auth.token)', () => {
  let registry: LocalRegistry;
  let tokens: TokenServer;
  let work: string;
  let release: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-oci-realm-'));
    tokens = await TokenServer.start({ dir: work, username: USER, password: PASSWORD, service: 'cs-test-registry', issuer: 'cs-test-issuer', realmHost: 'localhost' });
    [registry, release] = await Promise.all([
      LocalRegistry.start({ auth: { kind: 'token', realm: tokens.realm, service: 'cs-test-registry', issuer: 'cs-test-issuer', rootCertBundle: tokens.certPath } }),
      makeRelease(join(work, 'release')),
    ]);
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.close();
    rmSync(work, { recursive: true, force: true });
  });
  const target = () => ['--registry', registry.host, '--repository', REPO, '--plain-http'];

  it('asks a realm on another host without the credentials, and says how to allow it', async () => {
    const result = await runOci(['publish', release, ...target()], { env: envCredentials });
    const realm = new URL(tokens.realm);
    expect(result.err).toBe(
      `error: GET ${tokens.realm}: 401 (UNAUTHORIZED: invalid username or password): the token endpoint ${realm.host} that ${registry.host} names is on another host, ` +
        `so it was asked without the credentials for ${registry.host}, and it refused; if localhost is the token service of ${registry.host}, allow it with CLUSTER_STACKS_REGISTRY_TOKEN_REALMS=localhost\n`,
    );
    expect(result.code).toBe(1);
    expect(tokens.requests.length).toBeGreaterThan(0);
    expect(tokens.requests.every((r) => r.authorization === undefined)).toBe(true);
    expectNoSecrets(result.out + result.err);
    expect(await new RegistryClient({ registry: registry.host, plainHttp: true, credentials: { username: USER, password: PASSWORD }, trustedTokenRealms: ['localhost'] }).resolve(REPO, TAG)).toBeUndefined();
  });

  it('sends them to a realm host the user named in CLUSTER_STACKS_REGISTRY_TOKEN_REALMS', async () => {
    tokens.requests.length = 0;
    const result = await runOci(['publish', release, ...target()], { env: { ...envCredentials, CLUSTER_STACKS_REGISTRY_TOKEN_REALMS: 'localhost' } });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(tokens.requests.some((r) => r.authorized)).toBe(true);
  });
});

describe.runIf(REGISTRY_SUITE)('https to a plain-http registry', () => {
  let registry: LocalRegistry;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-oci-tls-'));
    registry = await LocalRegistry.start();
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('says to use --plain-http, at once, without retrying, and writes nothing', async () => {
    const out = join(work, 'out');
    const result = await runOci(['pull', TAG, '--registry', registry.host, '--repository', REPO, '--output-dir', out]);
    expect(result.err).toBe(
      `error: GET https://${registry.host}/v2/${REPO}/manifests/${TAG}: ${registry.host} does not speak TLS (the TLS handshake got a plain-http answer: wrong version number); for a registry without TLS pass --plain-http\n`,
    );
    expect(result.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    const events: RegistryEvent[] = [];
    await expect(pullCommand({ registry: registry.host, repository: REPO, tag: TAG, outputDir: out, onEvent: (e) => void events.push(e) })).rejects.toThrow('does not speak TLS');
    expect(events.filter((e) => e.kind === 'retry')).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});

describe.runIf(REGISTRY_SUITE)('no terminal escape sequence from a registry reaches the terminal', () => {
  const EVIL_TAGS = ['openstack-scs-1-34-v1', '\u001b]0;pwned\u0007', 'x\u009b31mred', 'rtl\u202eexe.txt', 'clear\u001b[2J\u001b[H'];
  let registry: string;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-oci-escapes-'));
    const port = await serve((req, res) => {
      const path = req.url ?? '';
      if (path.startsWith('/v2/evil/tags/list')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ name: 'evil', tags: EVIL_TAGS }));
      } else if (path === '/v2/evil/manifests/openstack-scs-1-34-v1') {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
        res.end(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            artifactType: 'application/vnd.scs.cluster-stacks.v1',
            config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 },
            layers: [{ mediaType: 'text/plain', digest: `sha256:${'a'.repeat(64)}`, size: 1, annotations: { 'org.opencontainers.image.title': 'SHA256SUMS\u001b[8m' } }],
          }),
        );
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'gone\u001b[2J\u001b[31m red \u009b1m\u202e txt.exe' }] }));
      }
    });
    registry = `127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    rmSync(work, { recursive: true, force: true });
  });
  const target = () => ['--registry', registry, '--repository', 'evil', '--plain-http'];

  it('list: ignored tags are printed escaped, in the table and in JSON', async () => {
    const table = await runOci(['list', ...target()]);
    expect(table.code).toBe(0);
    expect(table.out + table.err).not.toMatch(TERMINAL_CONTROLS);
    expect(table.err).toBe('note: ignored 4 tags that are not <provider>-<stack>-<major>-<minor>-<version>: \\x1b]0;pwned\\x07, clear\\x1b[2J\\x1b[H, rtl\\u202eexe.txt, x\\x9b31mred\n');
    const json = await runOci(['list', ...target(), '-o', 'json']);
    expect(json.out).not.toMatch(TERMINAL_CONTROLS);
    expect((JSON.parse(json.out) as { ignored: string[] }).ignored.sort()).toEqual(EVIL_TAGS.slice(1).sort());
  });

  it('pull: an error body and a layer title are printed escaped', async () => {
    const missing = await runOci(['pull', 'openstack-scs-1-34-v2', ...target(), '--output-dir', join(work, 'a')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`error: GET http://${registry}/v2/evil/manifests/openstack-scs-1-34-v2: 404 Not Found (MANIFEST_UNKNOWN: gone\\x1b[2J\\x1b[31m red \\x9b1m\\u202e txt.exe)\n`);
    const titled = await runOci(['pull', 'openstack-scs-1-34-v1', ...target(), '--output-dir', join(work, 'b')]);
    expect(titled.code).toBe(1);
    expect(titled.err).toBe(`error: ${registry}/evil:openstack-scs-1-34-v1: layer 1: title 'SHA256SUMS\\x1b[8m' is not a plain file name (letters, digits, '.', '_', '-'; no '/', '\\' or '..'); refusing to write it\n`);
    for (const r of [missing, titled]) expect(r.out + r.err).not.toMatch(TERMINAL_CONTROLS);
    expect(existsSync(join(work, 'a')) || existsSync(join(work, 'b'))).toBe(false);
  });
});
