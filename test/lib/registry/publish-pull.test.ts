import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCommand } from '../../../cli/commands/list.ts';
import { publishCommand } from '../../../cli/commands/publish.ts';
import { pullCommand } from '../../../cli/commands/pull.ts';
import { RegistryClient, type RegistryEvent } from '../../../lib/registry/client.ts';
import { Annotations, MediaTypes } from '../../../lib/registry/media-types.ts';
import { readReleaseArtifact } from '../../../lib/registry/release-artifact.ts';
import { changeRelease, copyRelease, makeRelease, readFolder, REGISTRY_SUITE, ROOT, runOci } from './harness/fixtures.ts';
import { LocalRegistry } from './harness/registry.ts';

const REPO = 'cluster-stacks/releases';
/** helm and oras-pull may have to be built first (minutes for helm on a fresh machine). */
const TOOL_BUILD_TIMEOUT = 600_000;

describe.runIf(REGISTRY_SUITE)('publish, list and pull through a real registry', () => {
  let registry: LocalRegistry;
  let work: string;
  let releases: string;
  let docker: string;
  let openstack: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-oci-'));
    releases = join(work, 'release');
    [registry, docker, openstack] = await Promise.all([
      LocalRegistry.start(),
      makeRelease(releases, { provider: 'docker', minor: '1-34', version: 'v1' }),
      makeRelease(releases, { provider: 'openstack', minor: '1-33', version: 'v2' }),
    ]);
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const target = () => ['--registry', registry.host, '--repository', REPO, '--plain-http'];

  it('publishes two releases, lists them and pulls each back byte for byte', async () => {
    const published = await runOci(['publish', docker, openstack, ...target(), '--revision', 'abc123']);
    expect(published.err).toBe('');
    expect(published.code).toBe(0);
    expect(published.out).toMatch(new RegExp(`${registry.host}/${REPO}:docker-scs-1-34-v1\\s+published\\s+sha256:[0-9a-f]{64}`));
    expect(published.out).toMatch(/openstack-scs-1-33-v2\s+published/);

    const listed = await runOci(['list', ...target(), '-o', 'json']);
    expect(listed.code).toBe(0);
    const summary = JSON.parse(listed.out) as { stacks: { provider: string; kubernetes: string; releases: { tag: string }[] }[]; ignored: string[] };
    expect(summary.stacks.map((s) => [s.provider, s.kubernetes, s.releases.map((r) => r.tag)])).toEqual([
      ['docker', '1.34', ['docker-scs-1-34-v1']],
      ['openstack', '1.33', ['openstack-scs-1-33-v2']],
    ]);
    expect(summary.ignored).toEqual([]);

    const pulled = join(work, 'pulled');
    for (const dir of [docker, openstack]) {
      const tag = dir.split('/').pop() as string;
      const result = await runOci(['pull', tag, ...target(), '--output-dir', pulled]);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toContain(`pulled ${registry.host}/${REPO}:${tag}`);
      const original = readFolder(dir);
      const copy = readFolder(join(pulled, tag));
      expect([...copy.keys()]).toEqual([...original.keys()]);
      for (const [name, bytes] of original) expect(copy.get(name)?.equals(bytes), `${tag}/${name}`).toBe(true);
      // SHA256SUMS of the copy holds for the copy.
      for (const line of (copy.get('SHA256SUMS') as Buffer).toString('utf8').trim().split('\n')) {
        const [sum, name] = line.split('  ') as [string, string];
        expect(createHash('sha256').update(copy.get(name) as Buffer).digest('hex'), name).toBe(sum);
      }
    }
    expect(readdirSync(pulled).sort()).toEqual(['docker-scs-1-34-v1', 'openstack-scs-1-33-v2']); // no temp folders left
  });

  it('writes the manifest the operator and csctl expect', async () => {
    const artifact = await readReleaseArtifact(openstack, { revision: 'abc123' });
    const client = new RegistryClient({ registry: registry.host, plainHttp: true });
    const remote = await client.getManifest(REPO, 'openstack-scs-1-33-v2');
    expect(remote.digest).toBe(artifact.digest);
    expect(remote.bytes.equals(artifact.manifest)).toBe(true);
    const manifest = JSON.parse(remote.bytes.toString('utf8')) as {
      mediaType: string;
      artifactType: string;
      config: { mediaType: string; size: number };
      layers: { mediaType: string; annotations: Record<string, string> }[];
      annotations: Record<string, string>;
    };
    expect(manifest.mediaType).toBe(MediaTypes.imageManifest);
    expect(manifest.artifactType).toBe('application/vnd.scs.cluster-stacks.v1');
    expect(manifest.config).toMatchObject({ mediaType: 'application/vnd.oci.empty.v1+json', size: 2 });
    expect(manifest.layers.map((l) => [l.annotations[Annotations.title], l.mediaType])).toEqual([
      ['SHA256SUMS', 'text/plain'],
      ['clusteraddon.yaml', 'application/vnd.scs.cluster-addon.config.layer.v1+yaml'],
      ['hashes.json', 'application/vnd.scs.hashes.layer.v1+yaml'],
      ['metadata.yaml', 'application/vnd.scs.metadata.layer.v1+yaml'],
      ['node-images.yaml', 'application/vnd.scs.node-image.config.layer.v1+yaml'],
      ['openstack-scs-1-33-cluster-addon-v2.tgz', 'application/vnd.scs.cluster-addon.layer.v1.tar+gzip'],
      ['openstack-scs-1-33-cluster-class-v2.tgz', 'application/vnd.scs.cluster-class.v1.tar+gzip'],
      ['openstack-scs-1-33-node-image-v2.tgz', 'application/vnd.scs.node-image.layer.v1.tar+gzip'],
    ]);
    const hashes = JSON.parse(readFileSync(join(openstack, 'hashes.json'), 'utf8')) as { clusterStack: string };
    expect(manifest.annotations).toEqual({
      kubernetesVersion: 'v1.33.10',
      hash: hashes.clusterStack.slice(0, 7),
      'org.opencontainers.image.created': '1970-01-01T00:00:00Z',
      'org.opencontainers.image.revision': 'abc123',
      'org.opencontainers.image.version': 'v2',
    });
  });

  it('does nothing when the same release is published again, also from another revision', async () => {
    const again = await runOci(['publish', docker, ...target(), '--revision', 'abc123', '-o', 'json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.out) as { releases: { status: string }[] }).releases.map((r) => r.status)).toEqual(['already-published']);

    const events: RegistryEvent[] = [];
    const other = await publishCommand({ registry: registry.host, repository: REPO, plainHttp: true, releaseDirs: [docker], revision: 'def456', onEvent: (e) => void events.push(e) });
    expect(other.releases[0]).toMatchObject({ status: 'already-published', note: 'same content, published from revision abc123 (created 1970-01-01T00:00:00Z)' });
    expect(events.filter((e) => e.kind !== 'retry')).toEqual([]); // not one blob or manifest written
  });

  it('fails when a tag would change, and replaces it with --force', async () => {
    const changed = copyRelease(docker, join(work, 'changed'));
    changeRelease(changed, 'clusteraddon.yaml', (t) => `${t}# changed\n`);
    const before = (await new RegistryClient({ registry: registry.host, plainHttp: true }).resolve(REPO, 'docker-scs-1-34-v1'))?.digest;

    const refused = await runOci(['publish', changed, ...target(), '--revision', 'abc123']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`error: ${registry.host}/${REPO}:docker-scs-1-34-v1 already exists with ${before}, not sha256:[0-9a-f]{64}: published tags are immutable`));
    expect((await new RegistryClient({ registry: registry.host, plainHttp: true }).resolve(REPO, 'docker-scs-1-34-v1'))?.digest).toBe(before);

    const forced = await runOci(['publish', changed, ...target(), '--revision', 'abc123', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain(`replaced (was ${before})`);
    const pulled = await pullCommand({ registry: registry.host, repository: REPO, plainHttp: true, tag: 'docker-scs-1-34-v1', outputDir: join(work, 'forced') });
    expect(readFileSync(join(pulled.dir, 'clusteraddon.yaml'), 'utf8')).toMatch(/# changed\n$/);
  });

  it('checks every release folder before pushing any', async () => {
    const broken = copyRelease(openstack, join(work, 'broken'));
    rmSync(join(broken, 'hashes.json'));
    const fresh = await makeRelease(join(work, 'fresh'), { provider: 'docker', minor: '1-32', version: 'v5' });
    const result = await runOci(['publish', fresh, broken, ...target()]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${broken}: hashes.json is missing`);
    expect(await new RegistryClient({ registry: registry.host, plainHttp: true }).resolve(REPO, 'docker-scs-1-32-v5')).toBeUndefined();
  });

  it('draws progress on a terminal only: not in CI, not with --quiet', async () => {
    const parent = join(work, 'progress');
    const dirs = [await makeRelease(parent, { provider: 'docker', minor: '1-32', version: 'v7' }), await makeRelease(parent, { provider: 'docker', minor: '1-33', version: 'v7' })];
    const args = (repo: string) => ['publish', ...dirs, '--registry', registry.host, '--repository', repo, '--plain-http'];
    const tty = await runOci(args('progress/tty'), { isTTY: true, env: { CI: '' } });
    expect(tty.code).toBe(0);
    expect(tty.err).toContain('\r\x1b[K[1/2] docker-scs-1-32-v7  0/');
    expect(tty.err).toMatch(/\r\x1b\[K\[2\/2\] docker-scs-1-33-v7  ([0-9]+)\/\1 blobs, ([0-9.]+ kB)\/\2\n$/);
    const ci = await runOci(args('progress/ci'), { isTTY: true, env: { CI: 'true' } });
    expect(ci).toMatchObject({ code: 0, err: '' });
    expect(ci.out).toContain('published');
    const quiet = await runOci([...args('progress/quiet'), '--quiet'], { isTTY: true, env: { CI: '' } });
    expect(quiet).toEqual({ code: 0, out: '', err: '' });
    expect(await new RegistryClient({ registry: registry.host, plainHttp: true }).resolve('progress/quiet', 'docker-scs-1-33-v7')).toBeDefined();
  });

  it('uploads large blobs in chunks (PATCH with Content-Range) and pulls them back', async () => {
    const repo = 'chunked/releases';
    const events: RegistryEvent[] = [];
    await publishCommand({ registry: registry.host, repository: repo, plainHttp: true, releaseDirs: [openstack], client: { chunkThreshold: 1000, chunkSize: 700 }, onEvent: (e) => void events.push(e) });
    const chart = readFileSync(join(openstack, 'openstack-scs-1-33-cluster-class-v2.tgz'));
    expect(chart.length).toBeGreaterThan(1400); // three chunks at least
    const progress = events.filter((e) => e.kind === 'blob-progress' && e.size === chart.length).map((e) => (e.kind === 'blob-progress' ? e.sent : 0));
    expect(progress).toEqual(Array.from({ length: Math.ceil(chart.length / 700) }, (_, i) => Math.min((i + 1) * 700, chart.length)));
    expect(events.filter((e) => e.kind === 'blob-uploaded' && e.chunked).length).toBeGreaterThan(0);
    const pulled = await pullCommand({ registry: registry.host, repository: repo, plainHttp: true, tag: 'openstack-scs-1-33-v2', outputDir: join(work, 'chunked') });
    expect(readFileSync(join(pulled.dir, 'openstack-scs-1-33-cluster-class-v2.tgz')).equals(chart)).toBe(true);
  });

  it('lists tags across pages and ignores tags that are not releases', async () => {
    const repo = 'listing/releases';
    const client = new RegistryClient({ registry: registry.host, plainHttp: true });
    const artifact = await readReleaseArtifact(docker);
    await client.pushBlob(repo, artifact.config);
    for (const l of artifact.layers) await client.pushBlob(repo, l.blob);
    const tags = ['docker-scs-1-34-v10', 'docker-scs-1-34-v2', 'docker-scs-1-34-v1-rc-1', 'docker-scs-1-34-v1', 'docker-scs-1-33-v3', 'openstack-scs-1-34-v1', 'latest', 'docker-scs-1-34-v01', 'Docker-scs-1-34-v1'];
    for (const t of tags) await client.pushManifest(repo, t, artifact.manifest, MediaTypes.imageManifest);
    const summary = await listCommand({ registry: registry.host, repository: repo, plainHttp: true, pageSize: 2 });
    expect(summary.stacks.map((s) => `${s.provider}/${s.stack} ${s.kubernetes}: ${s.releases.map((r) => r.version).join(' ')}`)).toEqual([
      'docker/scs 1.33: v3',
      'docker/scs 1.34: v1 v2 v10 v1-rc.1',
      'openstack/scs 1.34: v1',
    ]);
    expect(summary.ignored).toEqual(['Docker-scs-1-34-v1', 'docker-scs-1-34-v01', 'latest']);
    const table = await runOci(['list', '--registry', registry.host, '--repository', repo, '--plain-http']);
    expect(table.out.split('\n')[0]).toMatch(/^PROVIDER\s+STACK\s+KUBERNETES\s+VERSION\s+TAG$/);
    expect(table.err).toBe('note: ignored 3 tags that are not <provider>-<stack>-<major>-<minor>-<version>: Docker-scs-1-34-v1, docker-scs-1-34-v01, latest\n');
    const empty = await runOci(['list', '--registry', registry.host, '--repository', 'nothing/here', '--plain-http']);
    expect(empty).toMatchObject({ code: 0, out: `no release tags in ${registry.host}/nothing/here\n` });
  });

  it('refuses to pull over an existing folder unless --force', async () => {
    const out = join(work, 'twice');
    expect((await runOci(['pull', 'openstack-scs-1-33-v2', ...target(), '--output-dir', out])).code).toBe(0);
    const second = await runOci(['pull', 'openstack-scs-1-33-v2', ...target(), '--output-dir', out]);
    expect(second.code).toBe(1);
    expect(second.err).toContain('already exists; pass --force to replace it');
    expect((await runOci(['pull', 'openstack-scs-1-33-v2', ...target(), '--output-dir', out, '--force'])).code).toBe(0);
    expect(readdirSync(out)).toEqual(['openstack-scs-1-33-v2']);
  });

  it('gives a pulled folder the umask mode (not mkdtemp\'s 0700), keeps its mode on --force, and refuses --force over the user\'s files', async () => {
    const out = join(work, 'modes');
    const folder = join(out, 'openstack-scs-1-33-v2');
    expect((await runOci(['pull', 'openstack-scs-1-33-v2', ...target(), '--output-dir', out])).code).toBe(0);
    const reference = join(work, 'mode-reference');
    mkdirSync(reference);
    expect(statSync(folder).mode & 0o777).toBe(statSync(reference).mode & 0o777);
    expect(statSync(folder).mode & 0o777).not.toBe(0o700);
    chmodSync(folder, 0o750);
    expect((await runOci(['pull', 'openstack-scs-1-33-v2', ...target(), '--output-dir', out, '--force'])).code).toBe(0);
    expect(statSync(folder).mode & 0o7777).toBe(0o750);
    writeFileSync(join(folder, 'notes.txt'), 'mine\n');
    const refused = await runOci(['pull', 'openstack-scs-1-33-v2', ...target(), '--output-dir', out, '--force']);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(`error: refusing to replace ${folder} with --force: it is not a release folder as pull writes it (notes.txt is not a file SHA256SUMS lists); remove it or choose another --output-dir\n`);
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('fails with the registry error code when a tag does not exist', async () => {
    const result = await runOci(['pull', 'docker-scs-1-34-v99', ...target(), '--output-dir', join(work, 'none')]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(`error: GET http://${registry.host}/v2/${REPO}/manifests/docker-scs-1-34-v99: 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)\n`);
    expect(existsSync(join(work, 'none', 'docker-scs-1-34-v99'))).toBe(false);
  });

  it('pushes the cluster-class chart so that helm pulls it', async () => {
    const result = await runOci(['publish', openstack, ...target(), '--helm-chart', '--revision', 'abc123']);
    expect(result.code).toBe(0);
    const chartRef = `${registry.host}/${REPO}/openstack-scs-1-33-cluster-class:v2`;
    expect(result.out).toMatch(new RegExp(`${chartRef.replace(/[.]/g, '\\.')}\\s+published`));
    const client = new RegistryClient({ registry: registry.host, plainHttp: true });
    const manifest = JSON.parse((await client.getManifest(`${REPO}/openstack-scs-1-33-cluster-class`, 'v2')).bytes.toString('utf8')) as { config: { mediaType: string; digest: string; size: number }; layers: { mediaType: string }[] };
    expect(manifest.config.mediaType).toBe('application/vnd.cncf.helm.config.v1+json');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(['application/vnd.cncf.helm.chart.content.v1.tar+gzip']);
    expect(JSON.parse((await client.fetchBlobBytes(`${REPO}/openstack-scs-1-33-cluster-class`, manifest.config)).toString('utf8'))).toMatchObject({ apiVersion: 'v2', name: 'openstack-scs-1-33-cluster-class', version: 'v2' });

    const tools = spawnSync('bash', [join(ROOT, 'scripts/e2e-tools.sh'), 'helm'], { encoding: 'utf8', timeout: 540_000 });
    if (tools.status === 2) {
      console.warn(`SKIPPED helm pull check: scripts/e2e-tools.sh cannot build helm: ${tools.stderr.trim()}`);
      return;
    }
    expect(tools.status, tools.stderr).toBe(0);
    const helm = /^helm=(.+)$/m.exec(tools.stdout)?.[1] as string;
    const dest = join(work, 'helm');
    mkdirSync(dest);
    const env = { ...process.env, HELM_CONFIG_HOME: join(work, 'helm-config'), HELM_CACHE_HOME: join(work, 'helm-cache'), HELM_DATA_HOME: join(work, 'helm-data') };
    const pull = spawnSync(helm, ['pull', `oci://${registry.host}/${REPO}/openstack-scs-1-33-cluster-class`, '--version', 'v2', '--plain-http', '--destination', dest], { encoding: 'utf8', env, timeout: 60_000 });
    expect(pull.status, `${pull.stdout}${pull.stderr}`).toBe(0);
    expect(readFileSync(join(dest, 'openstack-scs-1-33-cluster-class-v2.tgz')).equals(readFileSync(join(openstack, 'openstack-scs-1-33-cluster-class-v2.tgz')))).toBe(true);
    const template = spawnSync(helm, ['template', 'openstack-scs-1-33', join(dest, 'openstack-scs-1-33-cluster-class-v2.tgz')], { encoding: 'utf8', env, timeout: 60_000 });
    expect(template.status, template.stderr).toBe(0);
    expect(template.stdout).toContain('kind: ClusterClass');
  }, TOOL_BUILD_TIMEOUT);

  it('mounts the chart archive from the release repository instead of uploading it twice', async () => {
    const events: RegistryEvent[] = [];
    await publishCommand({ registry: registry.host, repository: 'mount/releases', plainHttp: true, releaseDirs: [docker], helmChart: true, onEvent: (e) => void events.push(e) });
    const chart = (await readReleaseArtifact(docker)).layers.find((l) => l.name.includes('cluster-class'));
    expect(events.filter((e) => e.kind === 'blob-mounted')).toEqual([
      { kind: 'blob-mounted', repository: 'mount/releases/docker-scs-1-34-cluster-class', digest: chart?.digest, size: chart?.size, from: 'mount/releases' },
    ]);
  });

  it('is what the operator downloads: oras.Copy into a file store gives the release folder', async () => {
    const tools = spawnSync('bash', [join(ROOT, 'scripts/e2e-tools.sh'), 'oras-pull'], { encoding: 'utf8', timeout: 540_000 });
    if (tools.status === 2) {
      console.warn(`SKIPPED oras check: scripts/e2e-tools.sh cannot build oras-pull: ${tools.stderr.trim()}`);
      return;
    }
    expect(tools.status, tools.stderr).toBe(0);
    const orasPull = /^oras-pull=(.+)$/m.exec(tools.stdout)?.[1] as string;
    const dest = join(work, 'oras', 'openstack-scs-1-33-v2');
    const run = spawnSync(orasPull, ['-plain-http', registry.host, REPO, 'openstack-scs-1-33-v2', dest], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    const original = readFolder(openstack);
    const copy = readFolder(dest);
    expect([...copy.keys()]).toEqual([...original.keys()]);
    for (const [name, bytes] of original) expect(copy.get(name)?.equals(bytes), name).toBe(true);
  }, TOOL_BUILD_TIMEOUT);
});
