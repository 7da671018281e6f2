import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGitopsCommands } from '../../../cli/gitops.ts';
import { publishCommand } from '../../../cli/commands/publish.ts';
import { publishGitopsCommand } from '../../../cli/commands/publish-gitops.ts';
import { RegistryClient, type RegistryEvent } from '../../../lib/registry/client.ts';
import { buildFluxArtifact, fluxConfig, FluxMediaTypes, pullFluxArtifact } from '../../../lib/registry/flux-artifact.ts';
import { readGitopsBundle } from '../../../lib/registry/flux-bundle.ts';
import { makeRelease, REGISTRY_SUITE, ROOT, type CliResult } from './harness/fixtures.ts';
import { LocalRegistry } from './harness/registry.ts';

/** flux-pull may have to be built first (its modules downloaded on a fresh machine). */
const TOOL_BUILD_TIMEOUT = 600_000;
const REPO = 'cluster-stacks/gitops';
const SOURCE = 'https://github.com/example-org/cluster-stacks-cdk8s';
const REVISION = `main@sha1:${'0123456789abcdef'.repeat(2)}01234567`;

/**
 * Runs `cluster-stacks <argv>` with only publish-gitops registered, as
 * cli/main.ts runs its program: `error: …` and exit 1, usage errors exit 2.
 */
async function runGitops(argv: readonly string[], options: { env?: NodeJS.ProcessEnv; root?: string } = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  class UsageError extends Error {}
  const program = new Command('cluster-stacks').option('-q, --quiet', 'print only errors').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerGitopsCommands(program, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false }, {
    root: options.root ?? ROOT,
    quiet: () => program.opts<{ quiet?: boolean }>().quiet ?? false,
    usageError: (m) => new UsageError(m),
    env: { CI: 'true', DOCKER_CONFIG: join(ROOT, '.cache', 'no-docker-config'), ...options.env },
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2, out, err };
    err += `error: ${(e as Error).message}\n`;
    return { code: e instanceof UsageError ? 2 : 1, out, err };
  }
}

/** Every file of a folder (flat), name → bytes. */
function readFlat(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n))]));
}

describe('publish-gitops: usage', () => {
  it('refuses --tag for several bundles, and bad registry and repository names, before reading anything', async () => {
    const two = await runGitops(['publish-gitops', 'dist/docker/scs/1-34', 'dist/docker/scs/1-33', '--registry', '127.0.0.1:1', '--repository', REPO, '--tag', 'x']);
    expect(two).toMatchObject({ code: 2, err: 'error: --tag names one artifact, but 2 bundle folders were given\n' });
    expect((await runGitops(['publish-gitops', 'dist/docker/scs/1-34', '--registry', 'http://r', '--repository', REPO])).code).toBe(2);
    expect((await runGitops(['publish-gitops', 'dist/docker/scs/1-34', '--registry', 'r', '--repository', 'Upper/Case'])).code).toBe(2);
    expect((await runGitops(['publish-gitops', 'dist/docker/scs/1-34', '--registry', 'r', '--repository', REPO, '--tag', '-bad'])).code).toBe(2);
    expect((await runGitops(['publish-gitops', 'dist/docker/scs/1-34', '--registry', 'r', '--repository', REPO], { env: { SOURCE_DATE_EPOCH: 'yesterday' } })).code).toBe(2);
  });

  it('names the folder that is not a bundle (exit 1), before any request', async () => {
    const result = await runGitops(['publish-gitops', join(ROOT, 'dist/docker/scs'), '--registry', '127.0.0.1:1', '--repository', REPO, '--plain-http']);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${join(ROOT, 'dist/docker/scs')}/metadata.yaml: missing`);
  });
});

describe.runIf(REGISTRY_SUITE)('publish-gitops through a real registry', () => {
  let registry: LocalRegistry;
  let work: string;
  let docker: string;
  let openstack: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cs-flux-'));
    // Copies, so that a concurrent synthesis of dist/ does not change them mid-test.
    docker = join(work, 'dist/docker/scs/1-34');
    openstack = join(work, 'dist/openstack/scs/1-34');
    cpSync(join(ROOT, 'dist/docker/scs/1-34'), docker, { recursive: true });
    cpSync(join(ROOT, 'dist/openstack/scs/1-34'), openstack, { recursive: true });
    registry = await LocalRegistry.start();
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const client = () => new RegistryClient({ registry: registry.host, plainHttp: true });
  const target = (repository = REPO) => ['--registry', registry.host, '--repository', repository, '--plain-http'];
  const provenance = ['--source', SOURCE, '--revision', REVISION];

  it('publishes two bundles under their release tags and pulls each back: kustomization.yaml and its manifests, byte for byte', async () => {
    const result = await runGitops(['publish-gitops', docker, openstack, ...target(), ...provenance]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    for (const dir of [docker, openstack]) {
      const bundle = readGitopsBundle(dir);
      expect(result.out).toMatch(new RegExp(`${registry.host}/${REPO}:${bundle.release.tag}\\s+published\\s+sha256:[0-9a-f]{64}`));
      const pulled = await pullFluxArtifact(client(), REPO, bundle.release.tag);
      expect([...pulled.files.keys()].sort()).toEqual(bundle.files.map((f) => f.name));
      for (const f of bundle.files) expect(pulled.files.get(f.name)?.equals(readFileSync(join(dir, f.name))), `${bundle.release.tag}/${f.name}`).toBe(true);
      expect(pulled.annotations).toEqual({ 'org.opencontainers.image.created': '1970-01-01T00:00:00Z', 'org.opencontainers.image.source': SOURCE, 'org.opencontainers.image.revision': REVISION });
    }
    expect([...(await pullFluxArtifact(client(), REPO, readGitopsBundle(openstack).release.tag)).files.keys()]).toContain('node-images.yaml');
  });

  it('writes the manifest and config exactly as Flux expects, and the digest is the one computed locally', async () => {
    const bundle = readGitopsBundle(docker);
    const local = buildFluxArtifact(bundle.files, { source: SOURCE, revision: REVISION });
    const remote = await client().getManifest(REPO, bundle.release.tag);
    expect(remote.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(remote.digest).toBe(local.digest);
    expect(remote.bytes.equals(local.manifest)).toBe(true);
    const manifest = JSON.parse(remote.bytes.toString('utf8')) as { schemaVersion: number; mediaType: string; artifactType?: string; config: { mediaType: string; digest: string; size: number }; layers: { mediaType: string; digest: string; size: number; annotations?: unknown }[]; annotations: Record<string, string> };
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.artifactType).toBeUndefined();
    expect(manifest.config.mediaType).toBe('application/vnd.cncf.flux.config.v1+json');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(['application/vnd.cncf.flux.content.v1.tar+gzip']);
    expect(manifest.layers[0]?.annotations).toBeUndefined();
    expect(Object.keys(manifest.annotations).sort()).toEqual(['org.opencontainers.image.created', 'org.opencontainers.image.revision', 'org.opencontainers.image.source']);
    const config = await client().fetchBlobBytes(REPO, manifest.config);
    expect(config.equals(fluxConfig('1970-01-01T00:00:00Z'))).toBe(true);
  });

  it('is reproducible: the same bundle gives the same digest in another repository; SOURCE_DATE_EPOCH sets created', async () => {
    const tag = readGitopsBundle(docker).release.tag;
    const first = (await client().resolve(REPO, tag))?.digest;
    const again = await runGitops(['publish-gitops', docker, ...target('reproducible/a'), ...provenance, '-o', 'json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.out) as { artifacts: { digest: string; status: string; url: string; files: string[] }[] }).artifacts).toEqual([
      expect.objectContaining({ digest: first, status: 'published', url: `oci://${registry.host}/reproducible/a`, files: ['cluster-class.yaml', 'helm-chart-proxies.yaml', 'kustomization.yaml'] }),
    ]);
    const dated = await runGitops(['publish-gitops', docker, ...target('reproducible/b'), ...provenance, '-o', 'json'], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(dated.code).toBe(0);
    const digest = (JSON.parse(dated.out) as { artifacts: { digest: string }[] }).artifacts[0]?.digest;
    expect(digest).not.toBe(first);
    const pulled = await pullFluxArtifact(client(), 'reproducible/b', tag);
    expect(pulled.annotations['org.opencontainers.image.created']).toBe('2023-11-14T22:13:20Z');
    expect(pulled.config.toString('utf8')).toContain('"created":"2023-11-14T22:13:20Z"');
  });

  it('does nothing when the same bundle is published again, also from another revision or time', async () => {
    const events: RegistryEvent[] = [];
    const same = await publishGitopsCommand({ registry: registry.host, repository: REPO, plainHttp: true, bundleDirs: [docker], source: SOURCE, revision: REVISION, onEvent: (e) => void events.push(e) });
    expect(same.artifacts.map((a) => a.status)).toEqual(['already-published']);
    const other = await publishGitopsCommand({ registry: registry.host, repository: REPO, plainHttp: true, bundleDirs: [docker], revision: `v3@sha1:${'f'.repeat(40)}`, created: '2024-01-01T00:00:00Z', onEvent: (e) => void events.push(e) });
    expect(other.artifacts[0]).toMatchObject({ status: 'already-published', note: `same content, published from revision ${REVISION} (created 1970-01-01T00:00:00Z)` });
    expect(events.filter((e) => e.kind !== 'retry')).toEqual([]); // not one blob or manifest written
    const table = await runGitops(['publish-gitops', docker, ...target(), ...provenance]);
    expect(table.out).toMatch(/already published\s+sha256:/);
  });

  it('refuses to change a tag, for all bundles at once, and replaces it with --force', async () => {
    const changed = join(work, 'changed/docker/scs/1-34');
    cpSync(docker, changed, { recursive: true });
    writeFileSync(join(changed, 'helm-chart-proxies.yaml'), `${readFileSync(join(changed, 'helm-chart-proxies.yaml'), 'utf8')}# changed\n`);
    const tag = readGitopsBundle(docker).release.tag;
    const before = (await client().resolve(REPO, tag))?.digest;
    const fresh = join(work, 'fresh/docker/scs/1-33');
    cpSync(join(ROOT, 'dist/docker/scs/1-33'), fresh, { recursive: true });

    const refused = await runGitops(['publish-gitops', fresh, changed, ...target(), ...provenance]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`^error: ${registry.host}/${REPO}:${tag} already exists with ${before} \\(a Flux artifact with other content\\), not sha256:[0-9a-f]{64}: published tags are immutable`));
    expect((await client().resolve(REPO, tag))?.digest).toBe(before);
    expect(await client().resolve(REPO, readGitopsBundle(fresh).release.tag)).toBeUndefined(); // nothing pushed

    const forced = await runGitops(['publish-gitops', changed, ...target(), ...provenance, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain(`replaced (was ${before})`);
    const pulled = await pullFluxArtifact(client(), REPO, tag);
    expect(pulled.files.get('helm-chart-proxies.yaml')?.toString('utf8')).toMatch(/# changed\n$/);
    // Back to the dist content for the tests that follow.
    expect((await runGitops(['publish-gitops', docker, ...target(), ...provenance, '--force'])).code).toBe(0);
  });

  it('refuses a release tag that holds the Cluster Stack Operator\'s release artifact, pointing to a repository of its own', async () => {
    const bundle = readGitopsBundle(docker);
    const release = await makeRelease(join(work, 'release'), { provider: 'docker', minor: '1-34', version: bundle.clusterClassName.replace(/^docker-scs-1-34-/, '') });
    await publishCommand({ registry: registry.host, repository: 'shared/stacks', plainHttp: true, releaseDirs: [release] });
    const result = await runGitops(['publish-gitops', docker, ...target('shared/stacks'), ...provenance]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`(an artifact of type application/vnd.scs.cluster-stacks.v1)`);
    expect(result.err).toContain('publish GitOps artifacts to a repository of their own');
    await expect(pullFluxArtifact(client(), 'shared/stacks', bundle.release.tag)).rejects.toThrow(`is an artifact of type application/vnd.scs.cluster-stacks.v1, not a Flux artifact`);
  });

  it('takes source and revision from the project\'s git checkout, without credentials, and warns when the bundle has uncommitted changes', async () => {
    const repo = join(work, 'checkout');
    const bundle = join(repo, 'dist/docker/scs/1-34');
    cpSync(docker, bundle, { recursive: true });
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    const git = (...args: string[]) => {
      const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    git('init', '-q', '-b', 'release-2');
    git('add', '.');
    git('commit', '-q', '-m', 'bundle');
    git('remote', 'add', 'origin', 'https://bot:s3cret@git.example/org/stacks.git');
    const head = git('rev-parse', 'HEAD');
    const clean = await runGitops(['publish-gitops', bundle, ...target('provenance/a')], { root: repo });
    expect(clean).toMatchObject({ code: 0, err: '' });
    expect((await pullFluxArtifact(client(), 'provenance/a', readGitopsBundle(bundle).release.tag)).annotations).toEqual({
      'org.opencontainers.image.created': '1970-01-01T00:00:00Z',
      'org.opencontainers.image.source': 'https://git.example/org/stacks.git',
      'org.opencontainers.image.revision': `release-2@sha1:${head}`,
    });
    writeFileSync(join(bundle, 'helm-chart-proxies.yaml'), `${readFileSync(join(bundle, 'helm-chart-proxies.yaml'), 'utf8')}# local edit\n`);
    const dirty = await runGitops(['publish-gitops', bundle, ...target('provenance/b'), '--no-source'], { root: repo });
    expect(dirty.code).toBe(0);
    expect(dirty.err).toBe(`warning: uncommitted changes (dist/docker/scs/1-34/helm-chart-proxies.yaml): org.opencontainers.image.revision release-2@sha1:${head} does not describe what is published; commit first or pass --revision\n`);
    expect(Object.keys((await pullFluxArtifact(client(), 'provenance/b', readGitopsBundle(bundle).release.tag)).annotations).sort()).toEqual(['org.opencontainers.image.created', 'org.opencontainers.image.revision']);
    const none = await runGitops(['publish-gitops', bundle, ...target('provenance/c'), '--no-source', '--no-revision'], { root: repo });
    expect(none).toMatchObject({ code: 0, err: '' });
    expect((await pullFluxArtifact(client(), 'provenance/c', readGitopsBundle(bundle).release.tag)).annotations).toEqual({ 'org.opencontainers.image.created': '1970-01-01T00:00:00Z' });
  });

  it('publishes under --tag', async () => {
    const result = await runGitops(['publish-gitops', docker, ...target(), ...provenance, '--tag', 'docker-scs-1-34-latest']);
    expect(result.code).toBe(0);
    expect((await client().resolve(REPO, 'docker-scs-1-34-latest'))?.digest).toBe((await client().resolve(REPO, readGitopsBundle(docker).release.tag))?.digest);
  });

  it('gives dist/docker/scs/1-34 the tag examples/gitops/flux/oci-repository.yaml pins', async () => {
    const example = (yaml.loadAll(readFileSync(join(ROOT, 'examples/gitops/flux/oci-repository.yaml'), 'utf8')) as { kind: string; spec: { ref?: { tag: string } } }[]).find((d) => d.kind === 'OCIRepository');
    const result = await runGitops(['publish-gitops', join(ROOT, 'dist/docker/scs/1-34'), ...target('example/gitops'), ...provenance, '-o', 'json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.out) as { artifacts: { tag: string }[] }).artifacts.map((a) => a.tag)).toEqual([example?.spec.ref?.tag]);
  });

  it('is what Flux pulls: fluxcd/pkg/oci Client.Pull extracts exactly the bundle\'s manifests and kustomization.yaml', async (ctx) => {
    const tools = spawnSync('bash', [join(ROOT, 'scripts/e2e-tools.sh'), 'flux-pull'], { encoding: 'utf8', timeout: 540_000 });
    if (tools.status === 2) {
      const reason = `scripts/e2e-tools.sh cannot build flux-pull (Go is needed): ${tools.stderr.trim()}`;
      console.warn(`SKIPPED Flux pull check: ${reason}`);
      ctx.skip(reason);
    }
    expect(tools.status, tools.stderr).toBe(0);
    const fluxPull = /^flux-pull=(.+)$/m.exec(tools.stdout)?.[1] as string;
    for (const dir of [docker, openstack]) {
      const bundle = readGitopsBundle(dir);
      const dest = join(work, 'flux', bundle.release.tag);
      mkdirSync(dest, { recursive: true }); // `flux pull artifact` wants an existing folder
      const copy = `oci://${registry.host}/flux-push/${bundle.release.name}:${bundle.release.tag}`;
      const run = spawnSync(fluxPull, ['-insecure', '-push-copy', copy, `oci://${registry.host}/${REPO}:${bundle.release.tag}`, dest], { encoding: 'utf8', timeout: 120_000 });
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
      const report = JSON.parse(run.stdout) as {
        metadata: { created: string; source_url: string; source_revision: string; digest: string };
        configMediaType: string;
        layerMediaTypes: string[];
        validate: string;
        fluxPushDigest: string;
        pushCopy: { digest: string; manifest: string; config: string };
      };
      const digest = (await client().resolve(REPO, bundle.release.tag))?.digest;
      // Extracted: exactly the bundle's files, byte for byte.
      const extracted = readFlat(dest);
      expect([...extracted.keys()]).toEqual(bundle.files.map((f) => f.name));
      for (const f of bundle.files) expect(extracted.get(f.name)?.equals(readFileSync(join(dir, f.name))), `${bundle.release.tag}/${f.name}`).toBe(true);
      // Flux's reading of the annotations.
      expect(report.metadata).toMatchObject({ created: '1970-01-01T00:00:00Z', source_url: SOURCE, source_revision: REVISION, digest: `${registry.host}/${REPO}@${digest}` });
      expect(report.configMediaType).toBe(FluxMediaTypes.config);
      expect(report.layerMediaTypes).toEqual([FluxMediaTypes.content]);
      // A valid image for go-containerregistry (config digest/size, diff IDs), and the very manifest Client.Push builds for this layer.
      expect(report.validate).toBe('');
      expect(report.fluxPushDigest).toBe(digest);
      // Flux's own Client.Push of the extracted files (`flux push artifact`) writes the same manifest and config; only its tar differs.
      const ours = (await client().getManifest(REPO, bundle.release.tag)).bytes.toString('utf8');
      const theirs = JSON.parse(report.pushCopy.manifest) as { layers: { digest: string; size: number }[] };
      const layer = theirs.layers[0] as { digest: string; size: number };
      expect(report.pushCopy.manifest.replace(`"size":${layer.size},"digest":"${layer.digest}"`, ours.match(/"layers":\[\{"mediaType":"[^"]+",("size":[0-9]+,"digest":"sha256:[0-9a-f]{64}")/)?.[1] ?? '')).toBe(ours);
      expect(report.pushCopy.config).toBe(fluxConfig('1970-01-01T00:00:00Z').toString('utf8'));
    }
  }, TOOL_BUILD_TIMEOUT);
});
