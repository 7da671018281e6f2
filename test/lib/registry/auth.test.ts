import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../lib/registry/client.ts';
import { makeRelease, readFolder, REGISTRY_SUITE, runOci } from './harness/fixtures.ts';
import { LocalRegistry } from './harness/registry.ts';
import { TokenServer } from './harness/token-server.ts';

const USER = 'publisher';
const PASSWORD = 'S3cret-pa55word!';
const WRONG = 'wrong-pa55word!';
const REPO = 'private/releases';
const TAG = 'docker-scs-1-34-v1';

const envCredentials = (password: string) => ({ CLUSTER_STACKS_REGISTRY_USERNAME: USER, CLUSTER_STACKS_REGISTRY_PASSWORD: password });

/** Output must never carry the password or the Basic credentials made from it. */
function expectNoSecrets(text: string): void {
  for (const secret of [PASSWORD, WRONG, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), Buffer.from(`${USER}:${WRONG}`).toString('base64')]) {
    expect(text).not.toContain(secret);
  }
}

describe.runIf(REGISTRY_SUITE)('Basic authentication (htpasswd registry)', () => {
  let registry: LocalRegistry;
  let work: string;
  let release: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-oci-auth-'));
    [registry, release] = await Promise.all([LocalRegistry.start({ auth: { kind: 'htpasswd', username: USER, password: PASSWORD } }), makeRelease(join(work, 'release'))]);
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  const target = () => ['--registry', registry.host, '--repository', REPO, '--plain-http'];
  const tagExists = async () => (await new RegistryClient({ registry: registry.host, plainHttp: true, credentials: { username: USER, password: PASSWORD } }).resolve(REPO, TAG)) !== undefined;

  it('fails with a clear error and pushes nothing when the password is wrong', async () => {
    const result = await runOci(['publish', release, ...target()], { env: envCredentials(WRONG) });
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `error: HEAD http://${registry.host}/v2/${REPO}/manifests/${TAG}: 401 Unauthorized: ${registry.host} rejected the username and password from $CLUSTER_STACKS_REGISTRY_USERNAME/$CLUSTER_STACKS_REGISTRY_PASSWORD\n`,
    );
    expectNoSecrets(result.out + result.err);
    expect(await tagExists()).toBe(false);
  });

  it('fails with a clear error without credentials', async () => {
    const result = await runOci(['list', ...target()], { env: { DOCKER_CONFIG: join(work, 'no-docker-config') } });
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `error: GET http://${registry.host}/v2/${REPO}/tags/list: 401 Unauthorized (UNAUTHORIZED: authentication required): ${registry.host} needs a username and password; none found (anonymous): set CLUSTER_STACKS_REGISTRY_USERNAME and CLUSTER_STACKS_REGISTRY_PASSWORD or use --registry-config\n`,
    );
  });

  it('publishes with credentials from the environment', async () => {
    const result = await runOci(['publish', release, ...target()], { env: envCredentials(PASSWORD) });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(await tagExists()).toBe(true);
  });

  it('lists and pulls with credentials from a docker config.json (auth and username/password forms)', async () => {
    const config = join(work, 'config.json');
    writeFileSync(config, JSON.stringify({ auths: { [`https://${registry.host}/v1/`]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
    const listed = await runOci(['list', ...target(), '--registry-config', config]);
    expect(listed.out).toContain(TAG);

    const dockerConfig = join(work, 'docker');
    mkdirSync(dockerConfig);
    writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { username: USER, password: PASSWORD } } }));
    const pulled = await runOci(['pull', TAG, ...target(), '--output-dir', join(work, 'pulled')], { env: { DOCKER_CONFIG: dockerConfig } });
    expect(pulled.err).toBe('');
    expect(pulled.code).toBe(0);
    expect([...readFolder(join(work, 'pulled', TAG)).keys()]).toEqual([...readFolder(release).keys()]);
  });

  it('names the config file, never its content, when an entry is broken', async () => {
    const config = join(work, 'broken.json');
    writeFileSync(config, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`no-colon-${PASSWORD}`).toString('base64') } } }));
    const result = await runOci(['list', ...target(), '--registry-config', config]);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`error: ${config}: auths["${registry.host}"].auth is not the base64 of 'username:password'\n`);
    expectNoSecrets(result.err);
  });
});

describe.runIf(REGISTRY_SUITE)('Bearer token authentication (registry with auth.token and a token server)', () => {
  let registry: LocalRegistry;
  let tokens: TokenServer;
  let work: string;
  let release: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-oci-token-'));
    tokens = await TokenServer.start({ dir: work, username: USER, password: PASSWORD, service: 'cs-test-registry', issuer: 'cs-test-issuer' });
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

  it('refuses a wrong password at the token endpoint and pushes nothing', async () => {
    const result = await runOci(['publish', release, ...target()], { env: envCredentials(WRONG) });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`error: GET ${tokens.realm}: 401 (UNAUTHORIZED: invalid username or password): the token endpoint rejected the username and password from $CLUSTER_STACKS_REGISTRY_USERNAME/$CLUSTER_STACKS_REGISTRY_PASSWORD`);
    expectNoSecrets(result.out + result.err);
    expect(tokens.requests.every((r) => !r.authorized)).toBe(true);
  });

  it('gets a push token with the credentials, publishes, and pulls back byte for byte', async () => {
    const published = await runOci(['publish', release, ...target()], { env: envCredentials(PASSWORD) });
    expect(published.err).toBe('');
    expect(published.code).toBe(0);
    const granted = tokens.requests.filter((r) => r.authorized);
    expect(granted.length).toBeGreaterThan(0);
    expect(granted.every((r) => r.service === 'cs-test-registry')).toBe(true);
    expect(granted.some((r) => r.scopes.includes(`repository:${REPO}:pull,push`))).toBe(true);
    // One token per repository and need: not one per request.
    expect(granted.length).toBeLessThanOrEqual(2);

    const pulled = await runOci(['pull', TAG, ...target(), '--output-dir', join(work, 'pulled')], { env: envCredentials(PASSWORD) });
    expect(pulled.code).toBe(0);
    const original = readFolder(release);
    const copy = readFolder(join(work, 'pulled', TAG));
    for (const [name, bytes] of original) expect(copy.get(name)?.equals(bytes), name).toBe(true);
    expect(readdirSync(join(work, 'pulled'))).toEqual([TAG]);
  });

  it('tells anonymous users that the token endpoint wants credentials', async () => {
    const result = await runOci(['list', ...target()], { env: { DOCKER_CONFIG: join(work, 'none') } });
    expect(result.code).toBe(1);
    expect(result.err).toContain('the token endpoint rejected anonymous access; set CLUSTER_STACKS_REGISTRY_USERNAME and CLUSTER_STACKS_REGISTRY_PASSWORD or use --registry-config');
  });
});
