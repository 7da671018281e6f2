import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import yaml from 'js-yaml';
import { extract, type Header } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { CrdSchemaRegistry, validateValue, type JSONSchemaProps } from '../../../lib/pipeline/crd-schema.ts';
import { buildFluxArtifact, describeArtifactKind, fluxConfig, FluxMediaTypes, goJsonString, sameFluxContent, type FluxFile } from '../../../lib/registry/flux-artifact.ts';
import { readGitopsBundle } from '../../../lib/registry/flux-bundle.ts';
import { fluxRevision, gitProvenance, publicSourceUrl, uncommittedChanges } from '../../../lib/registry/flux-git.ts';
import { sha256Digest } from '../../../lib/registry/digest.ts';
import { readReleaseArtifact } from '../../../lib/registry/release-artifact.ts';
import { fluxKustomizationSchema } from '../bytes/gitops/schemas.ts';
import { makeRelease, ROOT } from './harness/fixtures.ts';

/**
 * The Flux artifact format and the GitOps view of dist bundles, without a
 * registry (these run in `npm run test:registry` with the rest of test/lib/registry).
 */

const DIST = join(ROOT, 'dist');
const EXAMPLE = join(ROOT, 'examples/gitops/flux/oci-repository.yaml');

/** The dist bundles: `<provider>/<stack>/<major>-<minor>` (dist/ also holds its output marker file). */
function distBundles(): string[] {
  return readdirSync(DIST, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).flatMap((p) => readdirSync(join(DIST, p)).flatMap((s) => readdirSync(join(DIST, p, s)).map((m) => `${p}/${s}/${m}`)));
}

/** The tar entries of a .tgz with their headers. */
async function tarHeaders(tgz: Buffer): Promise<Header[]> {
  const headers: Header[] = [];
  const x = extract();
  x.end(gunzipSync(tgz));
  for await (const entry of x) {
    headers.push(entry.header);
    for await (const chunk of entry) void chunk;
  }
  return headers;
}

describe('readGitopsBundle', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cs-flux-bundle-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A copy of a dist bundle under work/<name>/<provider>/<stack>/<minor>. */
  const copy = (name: string, bundle = 'docker/scs/1-34'): string => {
    const dir = join(work, name, bundle);
    cpSync(join(DIST, bundle), dir, { recursive: true });
    return dir;
  };

  it('takes kustomization.yaml and exactly the manifests it lists, byte for byte, and the release tag from metadata.yaml', () => {
    for (const path of distBundles()) {
      const dir = join(DIST, path);
      const [provider, stack, minor] = path.split('/') as [string, string, string];
      const metadata = yaml.load(readFileSync(join(dir, 'metadata.yaml'), 'utf8')) as { versions: { clusterStack: string; kubernetes: string } };
      const resources = (yaml.load(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources;
      const bundle = readGitopsBundle(dir);
      expect(bundle.release.tag, path).toBe(`${provider}-${stack}-${minor}-${StackVersion.parse(metadata.versions.clusterStack).toTag()}`);
      expect(bundle.clusterClassName, path).toBe(`${provider}-${stack}-${minor}-${metadata.versions.clusterStack}`);
      expect(bundle.kubernetes).toBe(metadata.versions.kubernetes);
      expect(bundle.files.map((f) => f.name), path).toEqual(['kustomization.yaml', ...resources].sort());
      for (const f of bundle.files) expect(f.content.equals(readFileSync(join(dir, f.name))), `${path}/${f.name}`).toBe(true);
      // Nothing for the operator.
      expect(bundle.files.map((f) => f.name).filter((n) => /Chart|values|metadata|clusteraddon/.test(n)), path).toEqual([]);
    }
    expect(readGitopsBundle(join(DIST, 'openstack/scs/1-34')).files.map((f) => f.name)).toEqual(['cluster-class.yaml', 'helm-chart-proxies.yaml', 'kustomization.yaml', 'node-images.yaml']);
    expect(readGitopsBundle(join(DIST, 'docker/scs/1-34')).files.map((f) => f.name)).toEqual(['cluster-class.yaml', 'helm-chart-proxies.yaml', 'kustomization.yaml']);
  });

  it('gives a pre-release its tag form (v1-rc-1), the ClusterClass keeping the dotted form', () => {
    const dir = copy('prerelease');
    const version = readGitopsBundle(dir).clusterClassName.split('-').pop() as string;
    const rewrite = (file: string, from: string, to: string) => writeFileSync(join(dir, file), readFileSync(join(dir, file), 'utf8').split(from).join(to));
    rewrite('metadata.yaml', `clusterStack: ${version}`, 'clusterStack: v4-rc.1');
    rewrite('cluster-class.yaml', `docker-scs-1-34-${version}`, 'docker-scs-1-34-v4-rc.1');
    const bundle = readGitopsBundle(dir);
    expect(bundle.release.tag).toBe('docker-scs-1-34-v4-rc-1');
    expect(bundle.clusterClassName).toBe('docker-scs-1-34-v4-rc.1');
  });

  it('refuses what would make an artifact Flux cannot apply, or one that silently lacks a manifest', () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['no-kustomization', (d) => rmSync(join(d, 'kustomization.yaml')), /no kustomization\.yaml; a GitOps bundle is a dist\/<provider>\/<stack>\/<major>-<minor>\/ folder/],
      ['no-metadata', (d) => rmSync(join(d, 'metadata.yaml')), /metadata\.yaml: missing/],
      ['missing-resource', (d) => rmSync(join(d, 'helm-chart-proxies.yaml')), /kustomization\.yaml: resource helm-chart-proxies\.yaml is not in the folder/],
      ['patches', (d) => writeFileSync(join(d, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cluster-class.yaml\n  - helm-chart-proxies.yaml\npatches:\n  - path: patch.yaml\n'), /has patches; only resources/],
      ['subfolder', (d) => writeFileSync(join(d, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cluster-class.yaml\n  - ../other/helm-chart-proxies.yaml\n'), /resource '\.\.\/other\/helm-chart-proxies\.yaml' is not a file of the bundle folder/],
      ['unlisted', (d) => writeFileSync(join(d, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cluster-class.yaml\n'), /does not list helm-chart-proxies\.yaml, which the folder holds; it is stale/],
      ['twice', (d) => writeFileSync(join(d, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cluster-class.yaml\n  - helm-chart-proxies.yaml\n  - cluster-class.yaml\n'), /resource cluster-class\.yaml is listed twice/],
      ['kustomization-link', (d) => {
        rmSync(join(d, 'kustomization.yaml'));
        symlinkSync(join(DIST, 'docker/scs/1-34/kustomization.yaml'), join(d, 'kustomization.yaml'));
      }, /kustomization\.yaml: must be a regular file \(found a symbolic link\)/],
      ['symlink', (d) => {
        rmSync(join(d, 'helm-chart-proxies.yaml'));
        symlinkSync(join(DIST, 'docker/scs/1-34/helm-chart-proxies.yaml'), join(d, 'helm-chart-proxies.yaml'));
      }, /helm-chart-proxies\.yaml: a resource of kustomization\.yaml must be a regular file \(found a symbolic link\)/],
      ['class-name', (d) => writeFileSync(join(d, 'metadata.yaml'), readFileSync(join(d, 'metadata.yaml'), 'utf8').replace(/clusterStack: v[0-9]+/, 'clusterStack: v99')), /ClusterClass 'docker-scs-1-34-v[0-9]+' is not <provider>-<stack>-1-34-v99 as metadata\.yaml/],
      ['kubernetes', (d) => writeFileSync(join(d, 'metadata.yaml'), readFileSync(join(d, 'metadata.yaml'), 'utf8').replace(/kubernetes: v1\.34\.[0-9]+/, 'kubernetes: v1.33.1')), /versions\.kubernetes is v1\.33\.1, but the folder is 1-34/],
    ];
    for (const [name, breakIt, message] of cases) {
      const dir = copy(name);
      breakIt(dir);
      expect(() => readGitopsBundle(dir), name).toThrow(message);
    }
    expect(() => readGitopsBundle(join(work, 'nothing'))).toThrow('no such bundle folder');
  });
});

describe('buildFluxArtifact', () => {
  const files: readonly FluxFile[] = readGitopsBundle(join(DIST, 'openstack/scs/1-34')).files;
  const provenance = { created: '2025-01-02T03:04:05Z', source: 'https://github.com/example-org/cluster-stacks-cdk8s', revision: `main@sha1:${'a'.repeat(40)}` };

  it('writes the manifest as fluxcd/pkg/oci Client.Push does: OCI image manifest, Flux config and content media types, the three annotations', () => {
    const a = buildFluxArtifact(files, provenance);
    expect(a.manifest.toString('utf8')).toBe(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
        `"config":{"mediaType":"application/vnd.cncf.flux.config.v1+json","size":${a.config.size},"digest":"${a.config.digest}"},` +
        `"layers":[{"mediaType":"application/vnd.cncf.flux.content.v1.tar+gzip","size":${a.layer.size},"digest":"${a.layer.digest}"}],` +
        '"annotations":{"org.opencontainers.image.created":"2025-01-02T03:04:05Z","org.opencontainers.image.revision":"main@sha1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","org.opencontainers.image.source":"https://github.com/example-org/cluster-stacks-cdk8s"}}',
    );
    expect(a.digest).toBe(sha256Digest(a.manifest));
    expect(FluxMediaTypes).toEqual({ config: 'application/vnd.cncf.flux.config.v1+json', content: 'application/vnd.cncf.flux.content.v1.tar+gzip' });
    const parsed = JSON.parse(a.manifest.toString('utf8')) as Record<string, unknown>;
    expect(parsed.artifactType).toBeUndefined(); // Flux writes none
  });

  it('writes the config Flux writes: go-containerregistry\'s config of an empty image with created set, not {}', () => {
    const a = buildFluxArtifact(files, provenance);
    expect(a.configBytes.toString('utf8')).toBe('{"architecture":"","created":"2025-01-02T03:04:05Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}');
    expect(a.config.digest).toBe(sha256Digest(a.configBytes));
    // What fluxcd/pkg/oci v0.70.0 Client.Push (go-containerregistry v0.22.1) wrote for `--reproducible` (created = the epoch), computed with Go.
    expect(fluxConfig('1970-01-01T00:00:00Z').length).toBe(115);
    expect(sha256Digest(fluxConfig('1970-01-01T00:00:00Z'))).toBe('sha256:a5b8d9a0d8cb69c618c223b40fad96a7c3393f05459b94ebe5e49391eccfdd54');
    // The config depends on created only, not on the files.
    expect(buildFluxArtifact(files.slice(0, 1), provenance).configBytes.equals(a.configBytes)).toBe(true);
  });

  it('packs the files flat at the archive root: regular files, 0644, mtime 0, uid/gid 0, sorted, nothing else', async () => {
    const a = buildFluxArtifact([...files].reverse(), provenance);
    const headers = await tarHeaders(a.layerBytes);
    expect(headers.map((h) => h.name)).toEqual(files.map((f) => f.name));
    for (const h of headers) {
      expect(h).toMatchObject({ type: 'file', mode: 0o644, uid: 0, gid: 0, uname: '', gname: '' });
      expect(h.mtime?.getTime()).toBe(0);
    }
  });

  it('is reproducible: the same files and provenance give the same bytes, whatever the file order', () => {
    const a = buildFluxArtifact(files, provenance);
    const b = buildFluxArtifact([...files].reverse(), provenance);
    expect(b.manifest.equals(a.manifest)).toBe(true);
    expect(b.layerBytes.equals(a.layerBytes)).toBe(true);
    expect(b.configBytes.equals(a.configBytes)).toBe(true);
    expect(buildFluxArtifact(files).annotations).toEqual({ 'org.opencontainers.image.created': '1970-01-01T00:00:00Z' });
  });

  it('tells the same content with other provenance from other content and from other kinds of artifact', async () => {
    const a = buildFluxArtifact(files, provenance);
    const other = buildFluxArtifact(files, { created: '1970-01-01T00:00:00Z', revision: `v1@sha1:${'b'.repeat(40)}` });
    expect(other.digest).not.toBe(a.digest);
    expect(other.config.digest).not.toBe(a.config.digest); // created is in the config too
    expect(sameFluxContent(a.manifest, other.manifest)).toBe(`same content, published from revision main@sha1:${'a'.repeat(40)} (created 2025-01-02T03:04:05Z)`);
    const changed = buildFluxArtifact(files.map((f) => (f.name === 'node-images.yaml' ? { ...f, content: Buffer.concat([f.content, Buffer.from('# changed\n')]) } : f)), provenance);
    expect(sameFluxContent(a.manifest, changed.manifest)).toBeUndefined();
    const fewer = buildFluxArtifact(files.filter((f) => f.name !== 'node-images.yaml'), provenance);
    expect(sameFluxContent(a.manifest, fewer.manifest)).toBeUndefined();
    const work = mkdtempSync(join(tmpdir(), 'cs-flux-kind-'));
    try {
      const release = await readReleaseArtifact(await makeRelease(work, { provider: 'docker', minor: '1-34', version: 'v1' }));
      expect(sameFluxContent(release.manifest, a.manifest)).toBeUndefined();
      expect(describeArtifactKind(release.manifest)).toBe('an artifact of type application/vnd.scs.cluster-stacks.v1');
      expect(describeArtifactKind(a.manifest)).toBe('a Flux artifact');
      expect(describeArtifactKind(Buffer.from('nope'))).toBe('not an OCI manifest');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('writes JSON strings as Go does (HTML characters escaped) and refuses what it cannot write', () => {
    expect(goJsonString('https://x/?a=1&b=<c>\u2028')).toBe('"https://x/?a=1\\u0026b=\\u003cc\\u003e\\u2028"');
    expect(goJsonString('ä "q" \\')).toBe('"ä \\"q\\" \\\\"');
    expect(() => goJsonString('\uD800')).toThrow('lone surrogate');
    const a = buildFluxArtifact(files, { source: 'https://x/?a=1&b=2' });
    expect(a.manifest.toString('utf8')).toContain('"org.opencontainers.image.source":"https://x/?a=1\\u0026b=2"');
    expect(JSON.parse(a.manifest.toString('utf8'))).toMatchObject({ annotations: { 'org.opencontainers.image.source': 'https://x/?a=1&b=2' } });
    expect(() => buildFluxArtifact(files, { created: '2025-01-02T03:04:05+02:00' })).toThrow("created '2025-01-02T03:04:05+02:00' is not a UTC time YYYY-MM-DDTHH:MM:SSZ");
    expect(() => buildFluxArtifact(files, { created: '2025-02-30T00:00:00Z' })).toThrow("created '2025-02-30T00:00:00Z' is not a UTC time"); // Go's time.Parse refuses it too
    expect(() => buildFluxArtifact([{ name: 'a/b.yaml', content: Buffer.from('x') }])).toThrow("'a/b.yaml' is not a plain file name");
    expect(() => buildFluxArtifact([])).toThrow('at least one file');
  });
});

describe('Flux provenance from git', () => {
  it('writes revisions as flux2 documents them: <branch|tag>@sha1:<commit>, sha1:<commit> when detached', () => {
    expect(fluxRevision('main', 'a'.repeat(40))).toBe(`main@sha1:${'a'.repeat(40)}`);
    expect(fluxRevision('feature/x', 'b'.repeat(40))).toBe(`feature/x@sha1:${'b'.repeat(40)}`);
    expect(fluxRevision(undefined, 'c'.repeat(40))).toBe(`sha1:${'c'.repeat(40)}`);
    expect(fluxRevision('', 'd'.repeat(64))).toBe(`sha256:${'d'.repeat(64)}`);
    expect(() => fluxRevision('main', 'HEAD')).toThrow("'HEAD' is not a git commit id");
  });

  it('never puts credentials of a remote URL into the source annotation', () => {
    expect(publicSourceUrl('https://user:ghp_secret@github.com/org/repo.git\n')).toBe('https://github.com/org/repo.git');
    expect(publicSourceUrl('https://oauth2@gitlab.example/org/repo')).toBe('https://gitlab.example/org/repo');
    expect(publicSourceUrl('https://github.com/org/repo')).toBe('https://github.com/org/repo');
    expect(publicSourceUrl('git@github.com:org/repo.git')).toBe('git@github.com:org/repo.git');
    expect(publicSourceUrl('ssh://git@github.com/org/repo.git')).toBe('ssh://github.com/org/repo.git');
  });

  it('reads branch and commit of a checkout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-flux-git-'));
    try {
      const git = (...args: string[]) => spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
      if (git('init', '-q', '-b', 'release-1').status !== 0) return; // no git: nothing to read
      expect(gitProvenance(dir)).toEqual({}); // no commit, no remote
      writeFileSync(join(dir, 'f'), 'x');
      git('add', 'f');
      git('commit', '-q', '-m', 'x');
      git('remote', 'add', 'origin', 'https://bot:token@git.example/org/stacks.git');
      const head = git('rev-parse', 'HEAD').stdout.trim();
      expect(gitProvenance(dir)).toEqual({ source: 'https://git.example/org/stacks.git', revision: `release-1@sha1:${head}` });
      expect(uncommittedChanges(dir, [dir])).toEqual([]);
      mkdirSync(join(dir, 'b'));
      writeFileSync(join(dir, 'b', 'new.yaml'), 'y');
      writeFileSync(join(dir, 'f'), 'changed');
      expect(uncommittedChanges(dir, [join(dir, 'b')])).toEqual(['b/new.yaml']);
      expect(uncommittedChanges(dir, [dir]).sort()).toEqual(['b/new.yaml', 'f']);
      expect(uncommittedChanges(join(dir, 'nothing'), [dir])).toEqual([]); // not a checkout: nothing to tell
      git('checkout', '-q', '--detach');
      expect(gitProvenance(dir).revision).toBe(`sha1:${head}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The fields of source.toolkit.fluxcd.io/v1 OCIRepository the example uses,
 * from fluxcd/source-controller api/v1 ocirepository_types.go (v1.9.5:
 * url pattern ^oci://.*$, ref.tag, layerSelector.mediaType/operation
 * extract|copy, insecure, interval), checked like test/lib/bytes/gitops/schemas.ts.
 */
const ociRepositorySchema: JSONSchemaProps = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string', enum: ['source.toolkit.fluxcd.io/v1'] },
    kind: { type: 'string', enum: ['OCIRepository'] },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, namespace: { type: 'string' } } },
    spec: {
      type: 'object',
      required: ['url', 'interval'],
      properties: {
        url: { type: 'string', pattern: '^oci://.*$' },
        ref: { type: 'object', properties: { tag: { type: 'string' }, semver: { type: 'string' }, digest: { type: 'string' } } },
        layerSelector: { type: 'object', properties: { mediaType: { type: 'string' }, operation: { type: 'string', enum: ['extract', 'copy'] } } },
        insecure: { type: 'boolean' },
        interval: { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' },
      },
    },
  },
};

describe('examples/gitops/flux/oci-repository.yaml', () => {
  const docs = yaml.loadAll(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>[];
  const repository = docs.find((d) => d.kind === 'OCIRepository') as { apiVersion: string; metadata: { name: string; namespace: string }; spec: { url: string; insecure?: boolean; ref: { tag: string }; layerSelector?: { mediaType: string } } };
  const kustomization = docs.find((d) => d.kind === 'Kustomization') as { metadata: { namespace: string }; spec: { sourceRef: { kind: string; name: string }; path: string; targetNamespace: string } };

  it('pins the tag publish-gitops gives dist/docker/scs/1-34', () => {
    expect(repository.spec.ref.tag).toBe(readGitopsBundle(join(DIST, 'docker/scs/1-34')).release.tag);
  });

  it('is an OCIRepository of the API Flux serves (source.toolkit.fluxcd.io/v1) and a Kustomization reading it at the artifact root', () => {
    expect(docs).toHaveLength(2);
    expect(validateValue(ociRepositorySchema, repository, EXAMPLE).map(String)).toEqual([]);
    expect(validateValue(fluxKustomizationSchema, kustomization, EXAMPLE).map(String)).toEqual([]);
    expect(kustomization.spec.sourceRef).toEqual({ kind: 'OCIRepository', name: repository.metadata.name });
    expect(kustomization.metadata.namespace).toBe(repository.metadata.namespace);
    expect(kustomization.spec.path).toBe('./');
    expect(repository.spec.layerSelector?.mediaType).toBe(FluxMediaTypes.content);
    // Into the namespace the Git example applies the same bundle to (CAAPH selects Clusters there).
    const git = yaml.load(readFileSync(join(ROOT, 'examples/gitops/flux/docker-scs-1-34.yaml'), 'utf8')) as { spec: { targetNamespace: string } };
    expect(kustomization.spec.targetNamespace).toBe(git.spec.targetNamespace);
  });

  it('allows plain HTTP only for a loopback registry', () => {
    const host = /^oci:\/\/([^/]+)\//.exec(repository.spec.url)?.[1] ?? '';
    if (repository.spec.insecure) expect(host).toMatch(/^(127\.[0-9.]+|localhost|\[::1\])(:[0-9]+)?$/);
    expect(readFileSync(EXAMPLE, 'utf8')).toMatch(/# Only for the loopback registry above: allows plain HTTP \(no TLS\)\.\n {2}insecure: true\n/);
  });

  it('validates against source-controller v1.9.6\'s own CRD when the Go module cache has it', (ctx) => {
    const cache = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' });
    const crds = join(cache.stdout?.trim() ?? '', 'github.com/fluxcd/source-controller@v1.9.6/config/crd/bases');
    if (cache.status !== 0 || !existsSync(crds)) {
      const reason = `the Go module cache has no github.com/fluxcd/source-controller@v1.9.6 (go mod download github.com/fluxcd/source-controller@v1.9.6 to check against its CRD)`;
      console.warn(`SKIPPED: ${reason}`);
      ctx.skip(reason);
    }
    const dir = mkdtempSync(join(tmpdir(), 'cs-flux-crd-'));
    try {
      mkdirSync(join(dir, 'crds'));
      cpSync(join(crds, 'source.toolkit.fluxcd.io_ocirepositories.yaml'), join(dir, 'crds', 'ocirepositories.yaml'));
      const registry = CrdSchemaRegistry.load([join(dir, 'crds')]);
      expect(registry.validate(repository, EXAMPLE).map(String)).toEqual([]);
      // v1 is the only version that CRD serves.
      const crd = yaml.load(readFileSync(join(crds, 'source.toolkit.fluxcd.io_ocirepositories.yaml'), 'utf8')) as { spec: { versions: { name: string; served: boolean }[] } };
      expect(crd.spec.versions.filter((v) => v.served).map((v) => v.name)).toEqual(['v1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
