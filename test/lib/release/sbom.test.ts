import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJsonBytes } from '../../../lib/bytes/json.ts';
import { readReleaseArtifact } from '../../../lib/registry/release-artifact.ts';
import type { AttestationContext } from '../../../lib/release/attestation-context.ts';
import { readCrdSources, validatedCrds } from '../../../lib/release/crd-pins.ts';
import { releaseProvenance } from '../../../lib/release/provenance.ts';
import { imagesInValues, readReleaseInventory } from '../../../lib/release/release-inventory.ts';
import { releaseSbom, releaseSbomBytes } from '../../../lib/release/sbom.ts';
import { createTgz, readTgz } from '../../../lib/bytes/tgz.ts';
import { changeRelease, makeRelease } from '../registry/harness/fixtures.ts';
import { CrdSchemaRegistry } from '../../../lib/pipeline/crd-schema.ts';

const DIGEST = `sha256:${'cd'.repeat(32)}`;
let crds: CrdSchemaRegistry;

async function context(dir: string, overrides: Partial<AttestationContext> = {}): Promise<AttestationContext> {
  const inventory = await readReleaseInventory(await readReleaseArtifact(dir));
  return {
    inventory,
    crds: validatedCrds(inventory.objectKinds, crds),
    registry: 'registry.example',
    repository: 'org/cluster-stacks',
    digest: DIGEST,
    created: '2026-01-02T03:04:05Z',
    revision: '0123456789abcdef0123456789abcdef01234567',
    tool: { name: 'cluster-stacks-cdk8s', version: '0.1.0' },
    ...overrides,
  };
}

type Component = { type: string; name: string; version?: string; hashes?: { content: string }[]; properties?: { name: string; value: string }[]; externalReferences?: { url: string }[] };
const prop = (c: Component | undefined, name: string) => c?.properties?.find((p) => p.name === `cluster-stacks:${name}`)?.value;

describe('SBOM and provenance of a release', () => {
  let work: string;
  let docker: string;
  let openstack: string;
  beforeAll(async () => {
    crds = CrdSchemaRegistry.load();
    work = mkdtempSync(join(tmpdir(), 'cs-sbom-'));
    docker = await makeRelease(work, { provider: 'docker' });
    openstack = await makeRelease(work, { provider: 'openstack' });
  });

  it('lists the files, charts, the implicit CAPD node image and the CRDs the docker release was validated against', async () => {
    const bom = releaseSbom(await context(docker)) as { metadata: { timestamp: string; component: Component }; components: Component[] };
    expect(bom.metadata.timestamp).toBe('2026-01-02T03:04:05Z');
    expect(bom.metadata.component).toMatchObject({ name: 'docker-scs-1-34-v1', version: 'v1', hashes: [{ alg: 'SHA-256', content: 'cd'.repeat(32) }] });
    expect(prop(bom.metadata.component, 'revision')).toBe('0123456789abcdef0123456789abcdef01234567');
    const files = bom.components.filter((c) => c.type === 'file').map((c) => c.name);
    expect(files).toEqual(['SHA256SUMS', 'clusteraddon.yaml', 'docker-scs-1-34-cluster-addon-v1.tgz', 'docker-scs-1-34-cluster-class-v1.tgz', 'hashes.json', 'metadata.yaml']);
    const sums = readFileSync(join(docker, 'SHA256SUMS'), 'utf8');
    for (const c of bom.components.filter((c) => c.type === 'file' && c.name !== 'SHA256SUMS')) expect(sums).toContain(`${c.hashes?.[0]?.content}  ${c.name}`);
    const cilium = bom.components.find((c) => c.name === 'cilium');
    expect(cilium).toMatchObject({ type: 'application', externalReferences: [{ type: 'distribution', url: 'https://helm.cilium.io/' }] });
    expect(prop(cilium, 'digest')).toMatch(/^unknown: not vendored/);
    const classChart = bom.components.find((c) => c.name === 'docker-scs-1-34-cluster-class');
    expect(classChart?.hashes?.[0]?.content).toBe(sums.split('\n').find((l) => l.endsWith('cluster-class-v1.tgz'))?.slice(0, 64));
    expect(bom.components.find((c) => c.type === 'container')).toMatchObject({ name: 'kindest/node', version: 'v1.34.7' });
    const crdNames = bom.components.filter((c) => c.type === 'data').map((c) => `${c.name} ${c.version}`);
    expect(crdNames).toEqual(expect.arrayContaining(['capi-v1.10.9/cluster.x-k8s.io_clusterclasses.yaml v1.10.9', 'capd-v1.10.9/infrastructure.cluster.x-k8s.io_dockermachinetemplates.yaml v1.10.9']));
    const cc = bom.components.find((c) => c.name === 'capi-v1.10.9/cluster.x-k8s.io_clusterclasses.yaml');
    expect(cc?.externalReferences?.[0]?.url).toBe('https://github.com/kubernetes-sigs/cluster-api/blob/v1.10.9/config/crd/bases/cluster.x-k8s.io_clusterclasses.yaml');
    expect(prop(cc, 'validates')).toBe('cluster.x-k8s.io/v1beta1/ClusterClass');
  });

  it('lists the OpenStack node image with its URL and sha256, and the CAPO and ORC CRDs', async () => {
    const bom = releaseSbom(await context(openstack)) as { components: Component[] };
    const node = yaml.load(readFileSync(join(openstack, 'node-images.yaml'), 'utf8')) as { spec: { resource: { content: { download: { url: string; hash: { value: string } } } } } };
    const image = bom.components.find((c) => prop(c, 'kind') === 'node-image');
    expect(image?.hashes?.[0]?.content).toBe(node.spec.resource.content.download.hash.value);
    expect(image?.externalReferences?.[0]?.url).toBe(node.spec.resource.content.download.url);
    const files = bom.components.filter((c) => c.type === 'data').map((c) => c.name.split('/')[0]);
    expect(new Set(files)).toEqual(new Set(['capi-v1.10.9', 'capo-v0.14.7', 'orc-v2.6.0']));
  });

  it('takes the digest of vendored charts and the images their values name', async () => {
    const dir = await makeRelease(mkdtempSync(join(tmpdir(), 'cs-sbom-vendored-')), { provider: 'docker' });
    const addonName = 'docker-scs-1-34-cluster-addon-v1.tgz';
    const files = await readTgz(readFileSync(join(dir, addonName)), addonName);
    const chart = yaml.load((files.get('cni/Chart.yaml') as Buffer).toString()) as { dependencies: { version: string }[] };
    const version = chart.dependencies[0]?.version as string;
    const vendored = createTgz([
      { path: 'cilium/Chart.yaml', content: Buffer.from(`apiVersion: v2\nname: cilium\nversion: ${version}\nappVersion: ${version}\n`) },
      { path: 'cilium/values.yaml', content: Buffer.from(`image:\n  repository: quay.io/cilium/cilium\n  tag: v${version}\n  digest: sha256:${'12'.repeat(32)}\noperator:\n  image:\n    repository: quay.io/cilium/operator\nhubble:\n  relay:\n    image: "quay.io/cilium/hubble-relay:v1@sha256:${'34'.repeat(32)}"\n`) },
    ]);
    const entries = [...files].map(([path, content]) => ({ path, content }));
    entries.push({ path: `cni/charts/cilium-${version}.tgz`, content: vendored });
    writeFileSync(join(dir, addonName), createTgz(entries));
    changeRelease(dir, 'metadata.yaml', (t) => t);
    const inv = (await context(dir)).inventory;
    const cilium = inv.charts.find((c) => c.name === 'cilium');
    expect(cilium).toMatchObject({ vendored: true, digest: `sha256:${(await import('node:crypto')).createHash('sha256').update(vendored).digest('hex')}` });
    expect(inv.containerImages.map((i) => `${i.name}:${i.tag ?? ''}@${i.digest ?? ''}`)).toEqual([
      'kindest/node:v1.34.7@',
      `quay.io/cilium/cilium:v${version}@sha256:${'12'.repeat(32)}`,
      `quay.io/cilium/hubble-relay:v1@sha256:${'34'.repeat(32)}`,
      `quay.io/cilium/operator:${version}@`,
    ]);
  });

  it('recognises the image conventions of Helm values', () => {
    expect(imagesInValues({ image: { registry: 'registry.k8s.io', repository: 'metrics-server/metrics-server', tag: 'v0.8.0' } }, undefined, 'v').map((i) => `${i.name}:${i.tag}`)).toEqual(['registry.k8s.io/metrics-server/metrics-server:v0.8.0']);
    expect(imagesInValues({ customImage: 'kindest/node:v1.34.0', other: 'not/an:image', image: '{{ .Values.x }}' }, undefined, 'v').map((i) => i.name)).toEqual(['kindest/node']);
  });

  it('is deterministic: the same release gives the same bytes; created, revision and digest show up where they belong', async () => {
    const a = releaseSbomBytes(await context(docker));
    const b = releaseSbomBytes(await context(docker));
    expect(a.equals(b)).toBe(true);
    const later = releaseSbomBytes(await context(docker, { created: '2027-01-01T00:00:00Z' }));
    expect(later.equals(a)).toBe(false);
    expect(later.toString().replace('2027-01-01T00:00:00Z', '2026-01-02T03:04:05Z')).toBe(a.toString());
    const p1 = canonicalJsonBytes(releaseProvenance(await context(docker)));
    expect(p1.equals(canonicalJsonBytes(releaseProvenance(await context(docker))))).toBe(true);
  });

  it('states SLSA v1 provenance: parameters, the source commit and every dependency with its digest where known', async () => {
    const p = releaseProvenance(await context(openstack)) as {
      buildDefinition: { buildType: string; externalParameters: Record<string, string>; resolvedDependencies: { name: string; uri?: string; digest?: Record<string, string> }[] };
      runDetails: { metadata: { startedOn: string }; byproducts: { name: string }[] };
    };
    expect(p.buildDefinition.externalParameters).toEqual({ release: 'openstack-scs-1-34-v1', registry: 'registry.example', repository: 'org/cluster-stacks', revision: '0123456789abcdef0123456789abcdef01234567' });
    const deps = p.buildDefinition.resolvedDependencies;
    expect(deps[0]).toEqual({ name: 'source', digest: { gitCommit: '0123456789abcdef0123456789abcdef01234567' } });
    expect(deps.find((d) => d.name.startsWith('node-image:'))?.digest?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(deps.find((d) => d.name.startsWith('chart:ccm/openstack-cloud-controller-manager@'))?.uri).toMatch(/^https:\/\/kubernetes\.github\.io\/cloud-provider-openstack\/openstack-cloud-controller-manager-.+\.tgz$/);
    expect(deps.filter((d) => d.name.startsWith('crd:')).every((d) => /^[0-9a-f]{64}$/.test(d.digest?.sha256 ?? ''))).toBe(true);
    expect(p.runDetails.metadata.startedOn).toBe('2026-01-02T03:04:05Z');
    expect(p.runDetails.byproducts.map((b) => b.name)).toContain('node-images.yaml');
  });

  it('reads every row of crds/SOURCES.md', () => {
    const rows = readCrdSources();
    expect(rows.get('capo-v0.14.7/infrastructure.cluster.x-k8s.io_openstackmachinetemplates.yaml')).toEqual({
      repository: 'kubernetes-sigs/cluster-api-provider-openstack',
      tag: 'v0.14.7',
      path: 'config/crd/bases/infrastructure.cluster.x-k8s.io_openstackmachinetemplates.yaml',
    });
    expect(rows.size).toBeGreaterThan(20);
  });
});
