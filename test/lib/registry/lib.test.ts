import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createdFromEnv } from '../../../cli/oci.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { sameContent } from '../../../cli/commands/publish.ts';
import { parseReleaseManifest } from '../../../cli/commands/pull.ts';
import { parseChallenges } from '../../../lib/registry/auth.ts';
import { canonicalJson } from '../../../lib/bytes/json.ts';
import { nextLink } from '../../../lib/registry/client.ts';
import { resolveCredentials } from '../../../lib/registry/credentials.ts';
import { redact, RegistryError } from '../../../lib/registry/errors.ts';
import { EMPTY_DESCRIPTOR } from '../../../lib/registry/media-types.ts';
import { formatBytes, TransferProgress } from '../../../lib/registry/progress.ts';
import { assertRepository, assertTag, parseRegistryHost } from '../../../lib/registry/reference.ts';
import { readReleaseArtifact, releaseMediaType } from '../../../lib/registry/release-artifact.ts';
import { compareVersions, parseReleaseTag } from '../../../lib/registry/release-tag.ts';
import { withRetry } from '../../../lib/registry/retry.ts';
import { changeRelease, copyRelease, makeRelease } from './harness/fixtures.ts';

describe('canonicalJson', () => {
  it('sorts keys at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'x' }], c: true } })).toBe('{"a":{"c":true,"d":[3,{"y":"x","z":null}]},"b":1}');
  });
  it('fails when a number has no JSON form', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow('canonical JSON: NaN is not a JSON number');
  });
});

describe('parseChallenges', () => {
  it('reads a Bearer challenge whose scope holds commas', () => {
    expect(parseChallenges('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull,push' } },
    ]);
  });
  it('reads several challenges and escaped quotes', () => {
    expect(parseChallenges('Basic realm="say \\"hi\\"", Bearer realm="https://t/x",error=insufficient_scope')).toEqual([
      { scheme: 'basic', params: { realm: 'say "hi"' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', error: 'insufficient_scope' } },
    ]);
  });
});

describe('resolveCredentials', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cs-creds-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('takes the environment first', () => {
    const env = { CLUSTER_STACKS_REGISTRY_USERNAME: 'u', CLUSTER_STACKS_REGISTRY_PASSWORD: 'p', DOCKER_CONFIG: dir };
    expect(resolveCredentials('r.example:5000', { env })).toEqual({ credentials: { username: 'u', password: 'p' }, source: '$CLUSTER_STACKS_REGISTRY_USERNAME/$CLUSTER_STACKS_REGISTRY_PASSWORD' });
  });
  it('fails when only one of the two variables is set', () => {
    expect(() => resolveCredentials('r', { env: { CLUSTER_STACKS_REGISTRY_PASSWORD: 'p' } })).toThrow('set both CLUSTER_STACKS_REGISTRY_USERNAME and CLUSTER_STACKS_REGISTRY_PASSWORD, or neither (only CLUSTER_STACKS_REGISTRY_PASSWORD is set)');
  });
  it('reads auths entries in the forms docker login writes, with a colon in the password', () => {
    const path = config('a.json', { auths: { 'https://R.example:5000/v1/': { auth: Buffer.from('user:pa:ss').toString('base64') }, other: { username: 'x', password: 'y' } } });
    expect(resolveCredentials('r.example:5000', { env: {}, configPath: path })).toEqual({ credentials: { username: 'user', password: 'pa:ss' }, source: path });
    expect(resolveCredentials('other', { env: {}, configPath: path }).credentials).toEqual({ username: 'x', password: 'y' });
    expect(resolveCredentials('third', { env: {}, configPath: path })).toEqual({ credentials: undefined, source: `anonymous (no entry for third in ${path})` });
  });
  it('finds $DOCKER_CONFIG/config.json, else ~/.docker/config.json, else goes anonymous', () => {
    mkdirSync(join(dir, 'dc'));
    config('dc/config.json', { auths: { r: { username: 'd', password: 'c' } } });
    expect(resolveCredentials('r', { env: { DOCKER_CONFIG: join(dir, 'dc') } }).credentials).toEqual({ username: 'd', password: 'c' });
    mkdirSync(join(dir, 'home', '.docker'), { recursive: true });
    config('home/.docker/config.json', { auths: { r: { username: 'h', password: 'o' } } });
    expect(resolveCredentials('r', { env: {}, home: join(dir, 'home') }).credentials).toEqual({ username: 'h', password: 'o' });
    expect(resolveCredentials('r', { env: {}, home: join(dir, 'nohome') })).toEqual({ credentials: undefined, source: 'anonymous' });
  });
  it('fails or falls back to anonymous, naming the file but not the secret, on what it cannot use', () => {
    expect(() => resolveCredentials('r', { env: {}, configPath: join(dir, 'nope.json') })).toThrow(`--registry-config ${join(dir, 'nope.json')}: no such file`);
    const helper = config('h.json', { auths: {}, credHelpers: { r: 'secretservice' } });
    expect(resolveCredentials('r', { env: {}, configPath: helper })).toEqual({
      credentials: undefined,
      source: `anonymous: ${helper} leaves r to a credential helper (credHelpers: secretservice), which is not supported; set CLUSTER_STACKS_REGISTRY_USERNAME and CLUSTER_STACKS_REGISTRY_PASSWORD instead`,
    });
    const token = config('t.json', { auths: { r: { identitytoken: 'very-secret-token' } } });
    expect(() => resolveCredentials('r', { env: {}, configPath: token })).toThrow(/holds an identity token \(OAuth2 refresh token\), which is not supported/);
    const bad = config('b.json', { auths: { r: { auth: Buffer.from('nocolon').toString('base64') } } });
    expect(() => resolveCredentials('r', { env: {}, configPath: bad })).toThrow(`${bad}: auths["r"].auth is not the base64 of 'username:password'`);
  });
});

describe('names', () => {
  it('accepts host[:port] and refuses schemes and paths', () => {
    expect(parseRegistryHost('GHCR.io')).toBe('ghcr.io');
    expect(parseRegistryHost('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(() => parseRegistryHost('https://ghcr.io')).toThrow("registry 'https://ghcr.io' has a scheme; expected host[:port]");
    expect(() => parseRegistryHost('ghcr.io/org')).toThrow("registry 'ghcr.io/org' is not a host[:port]");
    expect(() => parseRegistryHost('r:99999')).toThrow("registry 'r:99999' is not a host[:port]");
  });
  it('checks repository names and tags as the distribution spec defines them', () => {
    expect(() => assertRepository('org/cluster-stacks/releases')).not.toThrow();
    expect(() => assertRepository('Org/x')).toThrow("repository 'Org/x' is not a valid OCI repository name");
    expect(() => assertRepository('a//b')).toThrow();
    expect(() => assertTag('openstack-scs-1-34-v1-alpha-0')).not.toThrow();
    expect(() => assertTag('-x')).toThrow("tag '-x' is not a valid OCI tag");
    expect(() => assertTag('a'.repeat(129))).toThrow();
  });
});

describe('release tags', () => {
  it('parses what the operator parses and ignores the rest', () => {
    expect(parseReleaseTag('openstack-scs-1-34-v1-alpha-0')).toMatchObject({ provider: 'openstack', stack: 'scs', major: 1, minor: 34, name: 'openstack-scs-1-34' });
    expect(parseReleaseTag('openstack-scs-1-34-v1-alpha-0')?.version.toString()).toBe('v1-alpha.0');
    for (const t of ['latest', 'openstack-scs-1-34', 'open-stack-scs-1-34-v1', 'openstack-scs-1-34-1', 'openstack-scs-1-34-v1.0', 'openstack-scs-1-34-v01']) expect(parseReleaseTag(t), t).toBeUndefined();
  });
  it('orders stable versions numerically, then pre-releases', () => {
    const versions = ['v1-rc-10', 'v10', 'v2', 'v1-rc-2', 'v1', 'v2-alpha-0', 'v1-alpha-1', 'v0-sha-abc'].map((v) => StackVersion.parseTag(v));
    expect(versions.sort(compareVersions).map((v) => v.toTag())).toEqual(['v1', 'v2', 'v10', 'v0-sha-abc', 'v1-alpha-1', 'v1-rc-2', 'v1-rc-10', 'v2-alpha-0']);
  });
});

describe('release artifact', () => {
  let work: string;
  let release: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-artifact-'));
    release = await makeRelease(join(work, 'a'), { provider: 'openstack', minor: '1-34', version: 'v4-rc.1' });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('gives the same manifest bytes for the same folder, wherever it is', async () => {
    const first = await readReleaseArtifact(release, { revision: 'r1' });
    const elsewhere = await readReleaseArtifact(copyRelease(release, join(work, 'b')), { revision: 'r1' });
    expect(elsewhere.manifest.equals(first.manifest)).toBe(true);
    expect(elsewhere.digest).toBe(first.digest);
    expect(first.manifest.toString('utf8')).toMatch(/^\{"annotations":\{"hash":"[0-9a-f]{7}","kubernetesVersion":"v1\.34\.7","org\.opencontainers\.image\.created":"1970-01-01T00:00:00Z","org\.opencontainers\.image\.revision":"r1","org\.opencontainers\.image\.version":"v4-rc\.1"\},"artifactType":"application\/vnd\.scs\.cluster-stacks\.v1","config":\{"data":"e30=","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","mediaType":"application\/vnd\.oci\.empty\.v1\+json","size":2\},"layers":\[/);
    expect(first.release.tag).toBe('openstack-scs-1-34-v4-rc-1');
    // Provenance changes the digest, but not the content.
    const later = await readReleaseArtifact(release, { revision: 'r2', created: createdFromEnv({ SOURCE_DATE_EPOCH: '1700000000' }) });
    expect(later.digest).not.toBe(first.digest);
    expect(JSON.parse(later.manifest.toString('utf8')).annotations['org.opencontainers.image.created']).toBe('2023-11-14T22:13:20Z');
    expect(sameContent(first.manifest, later.manifest)).toBe('same content, published from revision r1 (created 1970-01-01T00:00:00Z)');
  });

  it('tells a content change from a provenance change', async () => {
    const changed = copyRelease(release, join(work, 'c'));
    changeRelease(changed, 'node-images.yaml', (t) => `${t}# more\n`);
    expect(sameContent((await readReleaseArtifact(release)).manifest, (await readReleaseArtifact(changed)).manifest)).toBeUndefined();
  });

  it('uses csctl media types by file name', () => {
    expect(releaseMediaType('docker-scs-1-34-node-image-v1.tgz')).toBe('application/vnd.scs.node-image.layer.v1.tar+gzip');
    expect(releaseMediaType('README.md')).toBeUndefined();
  });

  const broken = async (name: string, change: (dir: string) => void, folder?: string): Promise<string> => {
    const dir = copyRelease(release, join(work, name));
    change(dir);
    if (folder) {
      cpSync(dir, join(work, name, folder), { recursive: true });
      return join(work, name, folder);
    }
    return dir;
  };
  it.each([
    ['the folder name is not a release tag', (d: string) => void d, 'latest', /folder name 'latest' is not a release tag <provider>-<stack>-<major>-<minor>-<version>/],
    ['it holds an unknown file', (d: string) => writeFileSync(join(d, 'notes.txt'), 'x'), undefined, /: not release files: notes\.txt/],
    ['it holds a folder', (d: string) => mkdirSync(join(d, 'charts')), undefined, /charts: a release folder holds regular files only \(found a folder\)/],
    ['it holds a link', (d: string) => symlinkSync('/etc/passwd', join(d, 'node-images.yaml.tgz')), undefined, /node-images\.yaml\.tgz: a release folder holds regular files only \(found a symbolic link\)/],
    ['a file does not match SHA256SUMS', (d: string) => writeFileSync(join(d, 'clusteraddon.yaml'), `${readFileSync(join(d, 'clusteraddon.yaml'), 'utf8')}#\n`), undefined, /SHA256SUMS: does not match the folder: clusteraddon\.yaml has sha256:[0-9a-f]{64}, SHA256SUMS says sha256:[0-9a-f]{64}/],
    ['metadata.yaml names another version', (d: string) => changeRelease(d, 'metadata.yaml', (t) => t.replace('clusterStack: v4-rc.1', 'clusterStack: v5')), undefined, /metadata\.yaml: versions\.clusterStack is v5, but the folder name says v4-rc\.1/],
    ['the addon archive is missing', (d: string) => rmSync(join(d, 'openstack-scs-1-34-cluster-addon-v4-rc.1.tgz')), undefined, /expected exactly one openstack-scs-1-34-cluster-addon-<version>\.tgz, found none/],
  ])('fails when %s', async (name, change, folder, message) => {
    await expect(readReleaseArtifact(await broken(name.replace(/\W+/g, '-'), change, folder))).rejects.toThrow(message);
  });
});

describe('pull: manifest checks', () => {
  it('refuses what is not an OCI image manifest', () => {
    const docker = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', layers: [] }));
    expect(() => parseReleaseManifest(docker, '', 'r/x:t')).toThrow("r/x:t: not an OCI image manifest (mediaType 'application/vnd.docker.distribution.manifest.v2+json'); a cluster stack release is one");
    const empty = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.scs.cluster-stacks.v1', config: EMPTY_DESCRIPTOR, layers: [] }));
    expect(() => parseReleaseManifest(empty, '', 'r/x:t')).toThrow('r/x:t: the manifest has no layers');
  });
});

describe('client helpers', () => {
  const page = new URL('http://r:5000/v2/a/tags/list?n=2');
  it('follows only rel="next" links on the same registry', () => {
    expect(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"', page)?.href).toBe('http://r:5000/v2/a/tags/list?n=2&last=b');
    expect(nextLink('<http://r:5000/v2/a/tags/list?last=c>; rel=next', page)?.href).toBe('http://r:5000/v2/a/tags/list?last=c');
    expect(nextLink('</v2/a/tags/list?n=2&last=b>; rel="prev"', page)).toBeUndefined();
    expect(nextLink(null, page)).toBeUndefined();
    expect(() => nextLink('<http://evil:1/v2/a/tags/list>; rel="next"', page)).toThrow('tag list Link header points to another host (evil:1)');
  });
  it('scrubs secrets and Authorization values from foreign text', () => {
    expect(redact('echo: Authorization: Basic dXNlcjpwYXNz and pass s3cret', ['s3cret'])).toBe('echo: Authorization: Basic *** and pass ***');
  });
  it('retries retryable errors a bounded number of times, and others not at all', async () => {
    let tries = 0;
    const failing = withRetry('x', { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxElapsedMs: 1000 }, async () => {
      tries++;
      throw new RegistryError('boom', { retryable: true, status: 503 });
    });
    await expect(failing).rejects.toThrow(/^boom \(gave up after 3 tries in [0-9.]+s\)$/);
    expect(tries).toBe(3);
    tries = 0;
    await expect(withRetry('x', { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxElapsedMs: 1000 }, async () => {
      tries++;
      throw new RegistryError('denied', { status: 403 });
    })).rejects.toThrow(/^denied$/);
    expect(tries).toBe(1);
  });
  it('stops retrying when the time budget is spent', async () => {
    let tries = 0;
    const start = Date.now();
    await expect(withRetry('x', { attempts: 100, baseDelayMs: 40, maxDelayMs: 40, maxElapsedMs: 100 }, async () => {
      tries++;
      throw new RegistryError('down', { retryable: true });
    })).rejects.toThrow(/gave up after [0-9]+ tries/);
    expect(tries).toBeLessThan(5);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});

describe('CLI helpers', () => {
  it('takes created from SOURCE_DATE_EPOCH, else the epoch', () => {
    expect(createdFromEnv({})).toBe('1970-01-01T00:00:00Z');
    expect(createdFromEnv({ SOURCE_DATE_EPOCH: '1700000000' })).toBe('2023-11-14T22:13:20Z');
    expect(() => createdFromEnv({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow("SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, got 'yesterday'");
  });
  it('draws progress only when enabled', () => {
    let out = '';
    const off = new TransferProgress((s) => (out += s), false);
    off.plan(1, 10);
    off.step('x');
    off.onEvent({ kind: 'blob-uploaded', repository: 'r', digest: 'd', size: 10, chunked: false });
    off.finish();
    expect(out).toBe('');
    const on = new TransferProgress((s) => (out += s), true);
    on.plan(2, 2500);
    on.step('[1/1] t');
    on.onEvent({ kind: 'blob-exists', repository: 'r', digest: 'a', size: 500 });
    on.onEvent({ kind: 'blob-uploaded', repository: 'r', digest: 'b', size: 2000, chunked: false });
    on.finish();
    expect(out.endsWith('\r\x1b[K[1/1] t  2/2 blobs, 2.5 kB/2.5 kB\n')).toBe(true);
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
  });
});
