import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RELEASE_ARCHIVE_BYTES, MAX_RELEASE_BYTES, MAX_RELEASE_TEXT_BYTES } from '../../../cli/commands/pull.ts';
import { canonicalJsonBytes, type JsonValue } from '../../../lib/bytes/json.ts';
import { bufferBlob, RegistryClient } from '../../../lib/registry/client.ts';
import { sha256Digest } from '../../../lib/registry/digest.ts';
import { Annotations, MediaTypes } from '../../../lib/registry/media-types.ts';
import { readReleaseArtifact, releaseMediaType, type ReleaseArtifact } from '../../../lib/registry/release-artifact.ts';
import { changeRelease, copyRelease, makeRelease, REGISTRY_SUITE, runOci } from './harness/fixtures.ts';
import { LoopbackProxy } from './harness/proxy.ts';
import { LocalRegistry } from './harness/registry.ts';

/**
 * `pull` takes only what is verifiably a cluster stack release (issue 11 §4):
 * every refusal below is checked for its message, exit code 1, that nothing
 * was written (not even the output folder), and, for what the manifest
 * alone decides, that not one blob was downloaded.
 */

const TAG = 'docker-scs-1-34-v1';
const BASE = 'verify/base';

type Layer = { mediaType: string; digest: string; size: number; annotations: Record<string, string> };
type Manifest = { artifactType?: string; config: Record<string, JsonValue>; layers: Layer[] } & Record<string, JsonValue>;

describe.runIf(REGISTRY_SUITE)('pull verifies a cluster stack release before writing anything', () => {
  let registry: LocalRegistry;
  let proxy: LoopbackProxy;
  let work: string;
  let release: string;
  let artifact: ReleaseArtifact;
  let client: RegistryClient;
  let cases = 0;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-oci-verify-'));
    [registry, release] = await Promise.all([LocalRegistry.start(), makeRelease(join(work, 'release'))]);
    artifact = await readReleaseArtifact(release);
    client = new RegistryClient({ registry: registry.host, plainHttp: true });
    await client.pushBlob(BASE, artifact.config);
    for (const l of artifact.layers) await client.pushBlob(BASE, l.blob);
    proxy = await LoopbackProxy.start(registry.host);
  });
  beforeEach(() => {
    proxy.requests.length = 0;
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const manifest = (): Manifest => JSON.parse(artifact.manifest.toString('utf8')) as Manifest;
  const layerIndex = (name: string) => artifact.layers.findIndex((l) => l.name === name);

  /** Pushes a manifest (and extra blobs) under TAG in a fresh repository; returns the repository. */
  const push = async (m: Manifest, extra: Buffer[] = []): Promise<string> => {
    const repo = `verify/case${++cases}`;
    for (const b of [artifact.config, ...artifact.layers.map((l) => l.blob)]) await client.pushBlob(repo, b, { mountFrom: BASE });
    for (const b of extra) await client.pushBlob(repo, bufferBlob(b));
    await client.pushManifest(repo, TAG, canonicalJsonBytes(m as unknown as JsonValue), MediaTypes.imageManifest);
    return repo;
  };
  /** A layer for a file of our own. */
  const fileLayer = (name: string, content: Buffer): Layer => ({ mediaType: releaseMediaType(name) as string, digest: sha256Digest(content), size: content.length, annotations: { [Annotations.title]: name } });

  const pull = async (repo: string) => {
    const out = join(work, `out-${repo.replace(/\W/g, '-')}`);
    const result = await runOci(['pull', TAG, '--registry', proxy.host, '--repository', repo, '--plain-http', '--output-dir', out]);
    return { ...result, out, ref: `${proxy.host}/${repo}:${TAG}` };
  };
  const blobDownloads = () => proxy.requests.filter((r) => /^GET \/v2\/.*\/blobs\//.test(r));

  /** What the manifest alone decides: refused with this message, exit 1, no blob fetched, nothing written. */
  const expectRefusedBeforeDownload = async (repo: string, message: (ref: string) => string | RegExp) => {
    const r = await pull(repo);
    const expected = message(r.ref);
    if (typeof expected === 'string') expect(r.err).toBe(`error: ${expected}\n`);
    else expect(r.err).toMatch(expected);
    expect(r.code).toBe(1);
    expect(blobDownloads()).toEqual([]);
    expect(existsSync(r.out)).toBe(false);
  };

  it('pulls a real release (the baseline the refusals below break)', async () => {
    const r = await pull(await push(manifest()));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(join(r.out, TAG)).sort()).toEqual(artifact.layers.map((l) => l.name).sort());
  });

  it('refuses another artifact type', async () => {
    const m = manifest();
    m.artifactType = 'application/vnd.example.other';
    await expectRefusedBeforeDownload(await push(m), (ref) => `${ref}: artifactType is 'application/vnd.example.other', not application/vnd.scs.cluster-stacks.v1: not a cluster stack release`);
  });

  it('refuses a manifest without an artifact type', async () => {
    const m = manifest();
    delete m.artifactType;
    await expectRefusedBeforeDownload(await push(m), (ref) => `${ref}: artifactType is missing, not application/vnd.scs.cluster-stacks.v1: not a cluster stack release`);
  });

  it('refuses a config that is not the OCI empty config', async () => {
    const m = manifest();
    m.config = { ...m.config, mediaType: 'application/vnd.scs.cluster-stacks.v1' };
    delete m.config.data;
    await expectRefusedBeforeDownload(await push(m), (ref) => `${ref}: the config is not the OCI empty config (application/vnd.oci.empty.v1+json, {}) a cluster stack release has`);
  });

  it('refuses a layer whose media type is not the one its file has', async () => {
    const m = manifest();
    const i = layerIndex('metadata.yaml');
    (m.layers[i] as Layer).mediaType = 'text/plain';
    await expectRefusedBeforeDownload(await push(m), (ref) => `${ref}: layer ${i + 1} 'metadata.yaml': media type 'text/plain', but a release's metadata.yaml has application/vnd.scs.metadata.layer.v1+yaml`);
  });

  it('refuses a file that does not belong in a release', async () => {
    const m = manifest();
    const readme = Buffer.from('# hello\n');
    m.layers.push({ mediaType: 'text/markdown', digest: sha256Digest(readme), size: readme.length, annotations: { [Annotations.title]: 'README.md' } });
    await expectRefusedBeforeDownload(await push(m, [readme]), (ref) => `${ref}: layer ${m.layers.length}: 'README.md' is not a release file (a release holds metadata.yaml, hashes.json, clusteraddon.yaml, node-images.yaml, SHA256SUMS and *-cluster-class-*.tgz, *-cluster-addon-*.tgz, *node-image*.tgz archives)`);
  });

  it.each([
    ['hashes.json', 'hashes.json is missing'],
    [`docker-scs-1-34-cluster-class-v1.tgz`, 'docker-scs-1-34-cluster-class-v1.tgz is missing'],
    ['docker-scs-1-34-cluster-addon-v1.tgz', 'expected exactly one docker-scs-1-34-cluster-addon-<version>.tgz, found none'],
    ['SHA256SUMS', 'SHA256SUMS is missing, so its files cannot be checked'],
  ])('refuses a release without %s', async (name, problem) => {
    const m = manifest();
    m.layers = m.layers.filter((l) => l.annotations[Annotations.title] !== name);
    await expectRefusedBeforeDownload(await push(m), (ref) => `${ref}: not a complete release: ${problem}`);
  });

  it('refuses an absurd layer size before downloading anything', async () => {
    const m = manifest();
    const i = layerIndex('docker-scs-1-34-cluster-class-v1.tgz');
    (m.layers[i] as Layer).size = 1e15;
    await expectRefusedBeforeDownload(await push(m), (ref) => `${ref}: layer ${i + 1} 'docker-scs-1-34-cluster-class-v1.tgz': the manifest says 1000000000000000 bytes, more than the ${MAX_RELEASE_ARCHIVE_BYTES} bytes a release archive may have; refusing to download it`);
  });

  it('refuses a text file larger than a release file may be', async () => {
    const m = manifest();
    const i = layerIndex('metadata.yaml');
    (m.layers[i] as Layer).size = MAX_RELEASE_TEXT_BYTES + 1;
    await expectRefusedBeforeDownload(await push(m), (ref) => `${ref}: layer ${i + 1} 'metadata.yaml': the manifest says ${MAX_RELEASE_TEXT_BYTES + 1} bytes, more than the ${MAX_RELEASE_TEXT_BYTES} bytes a release file may have; refusing to download it`);
  });

  it('refuses a release larger than the total cap', async () => {
    const m = manifest();
    const chart = m.layers[layerIndex('docker-scs-1-34-cluster-class-v1.tgz')] as Layer;
    const each = MAX_RELEASE_ARCHIVE_BYTES;
    const count = Math.floor(MAX_RELEASE_BYTES / each) + 1;
    for (let n = 0; n < count; n++) m.layers.push({ ...chart, mediaType: MediaTypes.nodeImage, size: each, annotations: { [Annotations.title]: `docker-scs-1-34-node-image-${n}.tgz` } });
    const total = m.layers.reduce((t, l) => t + l.size, 0);
    await expectRefusedBeforeDownload(await push(m), (ref) => `${ref}: the layers add up to ${total} bytes, more than the ${MAX_RELEASE_BYTES} bytes a release may have; refusing to download them`);
  });

  describe('after the download: the files against each other', () => {
    /** Downloaded and refused: message, exit code, nothing written. */
    const expectRefused = async (repo: string, message: (ref: string) => string) => {
      const r = await pull(repo);
      expect(r.err).toBe(`error: ${message(r.ref)}\n`);
      expect(r.code).toBe(1);
      expect(existsSync(r.out)).toBe(false);
    };

    it('refuses a file that does not match SHA256SUMS', async () => {
      const m = manifest();
      const i = layerIndex('clusteraddon.yaml');
      const changed = Buffer.concat([readFileSync(join(release, 'clusteraddon.yaml')), Buffer.from('# changed\n')]);
      m.layers[i] = fileLayer('clusteraddon.yaml', changed);
      await expectRefused(await push(m, [changed]), (ref) => `${ref}: SHA256SUMS: clusteraddon.yaml does not match its sum`);
    });

    it('refuses a SHA256SUMS that lists more or fewer files than the artifact has', async () => {
      const m = manifest();
      const lines = readFileSync(join(release, 'SHA256SUMS'), 'utf8').split('\n').filter((l) => l !== '' && !l.endsWith('  hashes.json'));
      const sums = Buffer.from(`${[...lines, `${'0'.repeat(64)}  extra.yaml`].join('\n')}\n`);
      m.layers[layerIndex('SHA256SUMS')] = fileLayer('SHA256SUMS', sums);
      await expectRefused(await push(m, [sums]), (ref) => `${ref}: SHA256SUMS: extra.yaml is listed but not in the artifact; hashes.json is not listed`);
    });

    it('refuses a metadata.yaml that names another version than the tag', async () => {
      const tampered = copyRelease(release, join(work, 'tampered'));
      changeRelease(tampered, 'metadata.yaml', (t) => t.replace(/clusterStack: v1\b/, 'clusterStack: v9'));
      const m = manifest();
      const extra: Buffer[] = [];
      for (const name of ['metadata.yaml', 'SHA256SUMS']) {
        const content = readFileSync(join(tampered, name));
        m.layers[layerIndex(name)] = fileLayer(name, content);
        extra.push(content);
      }
      await expectRefused(await push(m, extra), (ref) => `${ref}/metadata.yaml: versions.clusterStack is v9, but the tag says v1`);
    });

    it('refuses a blob longer than the manifest states (the per-blob cap)', async () => {
      const victim = artifact.layers[layerIndex('metadata.yaml')] as ReleaseArtifact['layers'][number];
      const repo = await push(manifest());
      const padding = await LoopbackProxy.start(registry.host, async (request, forward) => {
        const answer = await forward();
        return request.method === 'GET' && request.path.endsWith(`/blobs/${victim.digest}`) && answer.status === 200 ? { ...answer, body: Buffer.concat([answer.body, Buffer.alloc(4096, 0x41)]) } : answer;
      });
      try {
        const out = join(work, 'padded');
        const r = await runOci(['pull', TAG, '--registry', padding.host, '--repository', repo, '--plain-http', '--output-dir', out]);
        expect(r.err).toBe(`error: metadata.yaml: GET ${padding.host}/v2/${repo}/blobs/${victim.digest}: the registry sent more than the ${victim.size} bytes the manifest states\n`);
        expect(r.code).toBe(1);
        expect(existsSync(out)).toBe(false);
      } finally {
        await padding.close();
      }
    });
  });

  it('refuses a tag that is not a release tag, as a usage error', async () => {
    const out = join(work, 'latest');
    const r = await runOci(['pull', 'latest', '--registry', proxy.host, '--repository', BASE, '--plain-http', '--output-dir', out]);
    expect(r.err).toBe("error: tag 'latest' is not a release tag <provider>-<stack>-<major>-<minor>-<version> (e.g. openstack-scs-1-34-v1); pull fetches cluster stack releases only\n");
    expect(r.code).toBe(2);
    expect(proxy.requests).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an output folder that is a file, and leaves the file alone', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'mine\n');
    const r = await runOci(['pull', TAG, '--registry', proxy.host, '--repository', BASE, '--plain-http', '--output-dir', file]);
    expect(r.err).toBe(`error: cannot write into ${file}: it is a file, not a folder; choose another --output-dir\n`);
    expect(r.code).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(proxy.requests).toEqual([]);
  });
});
