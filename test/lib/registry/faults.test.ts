import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listCommand } from '../../../cli/commands/list.ts';
import { publishCommand } from '../../../cli/commands/publish.ts';
import { pullCommand } from '../../../cli/commands/pull.ts';
import { canonicalJsonBytes, type JsonValue } from '../../../lib/bytes/json.ts';
import { RegistryClient, type RegistryEvent } from '../../../lib/registry/client.ts';
import { Annotations, MediaTypes } from '../../../lib/registry/media-types.ts';
import { readReleaseArtifact, type ReleaseArtifact } from '../../../lib/registry/release-artifact.ts';
import { makeRelease, readFolder, REGISTRY_SUITE, runOci } from './harness/fixtures.ts';
import { LoopbackProxy, paginateTags } from './harness/proxy.ts';
import { LocalRegistry } from './harness/registry.ts';

/** Short, bounded retries: a test that fails does so in well under a second. */
const FAST = { retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50, maxElapsedMs: 2_000 } };

describe.runIf(REGISTRY_SUITE)('registry and network faults', () => {
  let registry: LocalRegistry;
  let work: string;
  let release: string;
  let artifact: ReleaseArtifact;
  const proxies: LoopbackProxy[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-oci-faults-'));
    [registry, release] = await Promise.all([LocalRegistry.start(), makeRelease(join(work, 'release'), { provider: 'openstack', minor: '1-34', version: 'v3' })]);
    artifact = await readReleaseArtifact(release);
  });
  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  const proxy = async (...args: Parameters<typeof LoopbackProxy.start>) => {
    const p = await LoopbackProxy.start(...args);
    proxies.push(p);
    return p;
  };
  const client = () => new RegistryClient({ registry: registry.host, plainHttp: true });
  const tag = () => artifact.release.tag;

  it('leaves no tag when the registry dies after the first blob, and a rerun completes it', async () => {
    const repository = 'killed/releases';
    const events: RegistryEvent[] = [];
    let killed = false;
    const first = publishCommand({
      registry: registry.host,
      repository,
      plainHttp: true,
      releaseDirs: [release],
      client: FAST,
      onEvent: async (e) => {
        events.push(e);
        if (e.kind === 'blob-uploaded' && !killed) {
          killed = true;
          await registry.kill();
        }
      },
    });
    await expect(first).rejects.toThrow(/: connection (refused|failed).* \(gave up after 3 tries in [0-9.]+s\)$/);
    expect(events.filter((e) => e.kind === 'blob-uploaded')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'retry')).toHaveLength(2);

    await registry.restart();
    expect(await client().resolve(repository, tag())).toBeUndefined(); // the manifest goes last

    const rerunEvents: RegistryEvent[] = [];
    const rerun = await publishCommand({ registry: registry.host, repository, plainHttp: true, releaseDirs: [release], onEvent: (e) => void rerunEvents.push(e) });
    expect(rerun.releases[0]).toMatchObject({ status: 'published', digest: artifact.digest });
    expect(rerunEvents.filter((e) => e.kind === 'blob-exists').map((e) => (e.kind === 'blob-exists' ? e.digest : ''))).toEqual(
      events.filter((e) => e.kind === 'blob-uploaded').map((e) => (e.kind === 'blob-uploaded' ? e.digest : '')),
    );
    expect((await client().resolve(repository, tag()))?.digest).toBe(artifact.digest);
    const pulled = await pullCommand({ registry: registry.host, repository, plainHttp: true, tag: tag(), outputDir: join(work, 'after-kill') });
    for (const [name, bytes] of readFolder(release)) expect(readFileSync(join(pulled.dir, name)).equals(bytes), name).toBe(true);
  });

  it('rides out a registry restart within its retry budget', async () => {
    const repository = 'restarted/releases';
    let restarted: Promise<void> | undefined;
    const retries: RegistryEvent[] = [];
    const summary = await publishCommand({
      registry: registry.host,
      repository,
      plainHttp: true,
      releaseDirs: [release],
      client: { retry: { attempts: 10, baseDelayMs: 100, maxDelayMs: 400, maxElapsedMs: 20_000 } },
      onEvent: async (e) => {
        if (e.kind === 'retry') retries.push(e);
        if (e.kind === 'blob-uploaded' && !restarted) {
          await registry.kill();
          restarted = new Promise((r) => setTimeout(r, 300)).then(() => registry.restart());
        }
      },
    });
    await restarted;
    expect(retries.length).toBeGreaterThan(0);
    expect(summary.releases[0]?.digest).toBe(artifact.digest);
    expect((await client().resolve(repository, tag()))?.digest).toBe(artifact.digest);
  });

  it('resumes a chunked upload from the registry offset when a chunk never arrived', async () => {
    let patches = 0;
    // The second PATCH's connection breaks before the registry sees it.
    const p = await proxy(registry.host, async (request, forward) => (request.method === 'PATCH' && ++patches === 2 ? 'drop' : forward()));
    const events: RegistryEvent[] = [];
    const repository = 'resumed/releases';
    await publishCommand({ registry: p.host, repository, plainHttp: true, releaseDirs: [release], client: { ...FAST, chunkThreshold: 1000, chunkSize: 1000 }, onEvent: (e) => void events.push(e) });
    const retries = events.filter((e) => e.kind === 'retry').map((e) => (e.kind === 'retry' ? e.what : ''));
    expect(retries).toEqual([expect.stringMatching(/^upload chunk 1000-[0-9]+ of sha256:[0-9a-f]{64}$/)]);
    // It asked the registry where the upload stood and went on: one upload session per blob, one status query.
    expect(p.requests.filter((r) => r.startsWith('POST '))).toHaveLength(artifact.layers.length + 1);
    expect(p.requests.filter((r) => /^GET \/v2\/resumed\/releases\/blobs\/uploads\//.test(r))).toHaveLength(1);
    expect((await client().resolve(repository, tag()))?.digest).toBe(artifact.digest);
  });

  it('starts a chunked upload over when the registry cancelled it (answer lost after the chunk was stored)', async () => {
    let patches = 0;
    // The registry stores the second chunk but its answer never arrives. The
    // upload state the client holds is now behind, and distribution 2.8
    // cancels an upload resumed at the wrong offset: the client must start over.
    const p = await proxy(registry.host, async (request, forward) => {
      if (request.method !== 'PATCH') return forward();
      const answer = await forward();
      return ++patches === 2 ? 'drop' : answer;
    });
    const events: RegistryEvent[] = [];
    const repository = 'restarted-upload/releases';
    await publishCommand({ registry: p.host, repository, plainHttp: true, releaseDirs: [release], client: { ...FAST, chunkThreshold: 1000, chunkSize: 1000 }, onEvent: (e) => void events.push(e) });
    const retries = events.filter((e) => e.kind === 'retry').map((e) => (e.kind === 'retry' ? `${e.what}: ${e.reason}` : ''));
    expect(retries).toEqual([
      expect.stringMatching(/^upload chunk 1000-[0-9]+ of sha256:[0-9a-f]{64}: PATCH .*: connection failed/),
      expect.stringMatching(/^upload blob sha256:[0-9a-f]{64} \(127\.0\.0\.1:[0-9]+\): GET .*\/blobs\/uploads\/[^:]*: upload session lost \(4[0-9]{2}\)$/),
    ]);
    expect(p.requests.filter((r) => r.startsWith('POST '))).toHaveLength(artifact.layers.length + 2);
    expect((await client().resolve(repository, tag()))?.digest).toBe(artifact.digest);
  });

  it('retries 5xx answers and succeeds', async () => {
    let failures = 0;
    const p = await proxy(registry.host, async (request, forward) => {
      if (request.method === 'PUT' && request.path.includes('/manifests/') && failures < 2) {
        failures++;
        return { status: 503, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}') };
      }
      return forward();
    });
    const events: RegistryEvent[] = [];
    const summary = await publishCommand({ registry: p.host, repository: 'flaky/releases', plainHttp: true, releaseDirs: [release], client: FAST, onEvent: (e) => void events.push(e) });
    expect(summary.releases[0]?.status).toBe('published');
    expect(events.filter((e) => e.kind === 'retry').map((e) => (e.kind === 'retry' ? e.reason : ''))).toEqual([
      `PUT http://${p.host}/v2/flaky/releases/manifests/${tag()}: 503 Service Unavailable (UNAVAILABLE: try later)`,
      `PUT http://${p.host}/v2/flaky/releases/manifests/${tag()}: 503 Service Unavailable (UNAVAILABLE: try later)`,
    ]);
  });

  it('fails at once, with the registry error code and message, on a 4xx', async () => {
    const p = await proxy(registry.host, async (request, forward) =>
      request.method === 'POST' ? { status: 403, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}') } : forward(),
    );
    const events: RegistryEvent[] = [];
    const result = publishCommand({ registry: p.host, repository: 'denied/releases', plainHttp: true, releaseDirs: [release], client: FAST, onEvent: (e) => void events.push(e) });
    await expect(result).rejects.toThrow(`POST http://${p.host}/v2/denied/releases/blobs/uploads/: 403 Forbidden (DENIED: requested access to the resource is denied)`);
    expect(events.filter((e) => e.kind === 'retry')).toEqual([]);
  });

  describe('pull', () => {
    const repository = 'pull/releases';
    beforeAll(async () => {
      await publishCommand({ registry: registry.host, repository, plainHttp: true, releaseDirs: [release] });
    });
    /** The output folder holds nothing: no release folder, no temporary folder. */
    const expectNothingLeft = (out: string) => expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);

    it('fails on a corrupted blob and leaves nothing behind', async () => {
      const victim = artifact.layers.find((l) => l.name === 'metadata.yaml') as ReleaseArtifact['layers'][number];
      const p = await proxy(registry.host, async (request, forward) => {
        const answer = await forward();
        if (request.method !== 'GET' || !request.path.endsWith(`/blobs/${victim.digest}`) || answer.status !== 200) return answer;
        const body = Buffer.from(answer.body);
        body[body.length >> 1] = (body[body.length >> 1] as number) ^ 0x20;
        return { ...answer, body };
      });
      const out = join(work, 'corrupted');
      const result = await runOci(['pull', tag(), '--registry', p.host, '--repository', repository, '--plain-http', '--output-dir', out]);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(new RegExp(`^error: metadata\\.yaml: GET ${p.host}/v2/${repository}/blobs/${victim.digest}: content digest is sha256:[0-9a-f]{64}, expected ${victim.digest}: the blob is corrupted\\n$`));
      expectNothingLeft(out);
    });

    it('fails on a missing layer and leaves nothing behind', async () => {
      const repo = 'missing/releases';
      await publishCommand({ registry: registry.host, repository: repo, plainHttp: true, releaseDirs: [release] });
      const victim = artifact.layers.find((l) => l.name === 'hashes.json') as ReleaseArtifact['layers'][number];
      const deleted = await fetch(`http://${registry.host}/v2/${repo}/blobs/${victim.digest}`, { method: 'DELETE' });
      expect(deleted.status).toBe(202);
      const out = join(work, 'missing');
      await expect(pullCommand({ registry: registry.host, repository: repo, plainHttp: true, tag: tag(), outputDir: out })).rejects.toThrow(
        `hashes.json: GET http://${registry.host}/v2/${repo}/blobs/${victim.digest}: 404 Not Found (BLOB_UNKNOWN: blob unknown to registry)`,
      );
      expectNothingLeft(out);
    });

    const manifestWith = (change: (layers: Record<string, JsonValue>[]) => void): Buffer => {
      const manifest = JSON.parse(artifact.manifest.toString('utf8')) as { layers: Record<string, JsonValue>[] };
      change(manifest.layers);
      return canonicalJsonBytes(manifest as unknown as JsonValue);
    };
    const setTitle = (title: string | undefined) => (layers: Record<string, JsonValue>[]) => {
      const layer = layers[1] as Record<string, JsonValue>;
      layer.annotations = title === undefined ? {} : { [Annotations.title]: title };
    };
    it.each([
      ['without a title', setTitle(undefined), /layer 2 \(sha256:[0-9a-f]{64}\) has no org\.opencontainers\.image\.title annotation, so it has no file name/],
      ['with a path', setTitle('charts/evil.yaml'), /layer 2: title 'charts\/evil\.yaml' is not a plain file name/],
      ['escaping the folder', setTitle('../evil.yaml'), /layer 2: title '\.\.\/evil\.yaml' is not a plain file name/],
      ['named ..', setTitle('..'), /layer 2: title '\.\.' is not a plain file name/],
      ['twice', setTitle('SHA256SUMS'), /layer 2: title 'SHA256SUMS' is used by two layers/],
    ])('refuses a manifest with a layer %s, before downloading anything', async (_what, change, message) => {
      const repo = 'crafted/releases';
      const c = client();
      await c.pushBlob(repo, artifact.config);
      for (const l of artifact.layers) await c.pushBlob(repo, l.blob);
      await c.pushManifest(repo, tag(), manifestWith(change), MediaTypes.imageManifest);
      const out = join(work, 'crafted');
      await expect(pullCommand({ registry: registry.host, repository: repo, plainHttp: true, tag: tag(), outputDir: out })).rejects.toThrow(message);
      expectNothingLeft(out);
    });
  });

  it('follows Link pagination of the tag list', async () => {
    const repository = 'paged/releases';
    const c = client();
    await c.pushBlob(repository, artifact.config);
    for (const l of artifact.layers) await c.pushBlob(repository, l.blob);
    const tags = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'].map((v) => `openstack-scs-1-34-${v}`);
    for (const t of [...tags, 'latest']) await c.pushManifest(repository, t, artifact.manifest, MediaTypes.imageManifest);
    const pages = { count: 0 };
    const p = await proxy(registry.host, paginateTags(pages));
    const summary = await listCommand({ registry: p.host, repository, plainHttp: true, pageSize: 2 });
    expect(pages.count).toBe(4); // 8 tags, 2 per page
    expect(p.requests.filter((r) => r.startsWith('GET /v2/paged/releases/tags/list'))).toEqual([
      'GET /v2/paged/releases/tags/list?n=2',
      'GET /v2/paged/releases/tags/list?n=2&last=openstack-scs-1-34-v1',
      'GET /v2/paged/releases/tags/list?n=2&last=openstack-scs-1-34-v3',
      'GET /v2/paged/releases/tags/list?n=2&last=openstack-scs-1-34-v5',
    ]);
    expect(summary.stacks).toEqual([{ provider: 'openstack', stack: 'scs', kubernetes: '1.34', releases: tags.map((t) => ({ version: t.split('-').pop(), tag: t })) }]);
    expect(summary.ignored).toEqual(['latest']);
  });
});
