import { App, Chart } from 'cdk8s';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { addonContext } from '../../constructs/addon-context.ts';
import { ClusterAddon } from '../../constructs/cluster-addon.ts';
import { ClusterResourceSet, MAX_CONFIG_MAP_DATA_BYTES, renderClusterResourceSet, type RenderedAddon } from '../../constructs/cluster-resource-set.ts';
import { clusterSelectorLabel } from '../../constructs/helm-chart-proxy.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { CrdSchemaRegistry } from '../../lib/crd-schema.ts';

const identity = { provider: 'docker', stack: 'scs', kubernetes: KubernetesVersion.parse('1.34.7') };
const chart = { name: 'demo', repository: 'https://charts.example.org/', version: '1.2.3' };
const demo = new ClusterAddon({ name: 'cni', description: 'Demo CNI', chart, values: { a: 1 } });

/** What `helm template` prints: a comment per source file, then the object. */
function manifest(kind: string, name: string, extra = ''): string {
  return `---\n# Source: demo/templates/${name}.yaml\napiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: kube-system\n${extra}`;
}

function build(addons: readonly RenderedAddon[], extra: { strategy?: 'ApplyOnce' | 'Reconcile' } = {}): ClusterResourceSet {
  const scope = new Chart(new App({ outdir: '/nonexistent' }), 'test', { disableResourceNameHashes: true });
  return new ClusterResourceSet(scope, 'Crs', { name: 'docker-scs-1-34', clusterSelector: { 'cluster-stacks.x-k8s.io/docker-scs-1-34': 'true' }, addons, ...extra });
}

describe('ClusterResourceSet (addons rendered offline)', () => {
  let registry: CrdSchemaRegistry;
  beforeAll(() => {
    registry = CrdSchemaRegistry.load(['capi-v1.10.9']);
  });

  it('holds each addon\'s manifests in a ConfigMap and applies them in order to the selected Clusters', () => {
    const other = new ClusterAddon({ name: 'csr', description: 'Demo', chart: { ...chart, name: 'csr' } });
    const set = build([
      { addon: demo, manifests: manifest('ServiceAccount', 'cilium') + manifest('ConfigMap', 'cilium-config', 'data:\n  a: "1"\n') },
      { addon: other, manifests: manifest('ServiceAccount', 'csr') },
    ]);
    expect(set.configMaps.map((c) => c.toJson())).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'docker-scs-1-34-cni' },
        data: {
          'cni.yaml':
            '---\n# Source: demo/templates/cilium.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: cilium\n  namespace: kube-system\n' +
            '---\n# Source: demo/templates/cilium-config.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cilium-config\n  namespace: kube-system\ndata:\n  a: "1"\n',
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'docker-scs-1-34-csr' },
        data: { 'csr.yaml': '---\n# Source: demo/templates/csr.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: csr\n  namespace: kube-system\n' },
      },
    ]);
    expect(set.resource.toJson()).toEqual({
      apiVersion: 'addons.cluster.x-k8s.io/v1beta1',
      kind: 'ClusterResourceSet',
      metadata: { name: 'docker-scs-1-34' },
      spec: {
        clusterSelector: { matchLabels: { 'cluster-stacks.x-k8s.io/docker-scs-1-34': 'true' } },
        strategy: 'Reconcile',
        resources: [{ kind: 'ConfigMap', name: 'docker-scs-1-34-cni' }, { kind: 'ConfigMap', name: 'docker-scs-1-34-csr' }],
      },
    });
  });

  it('validates against the Cluster API v1.10.9 ClusterResourceSet CRD, and a broken one does not', () => {
    const set = build([{ addon: demo, manifests: manifest('ServiceAccount', 'cilium') }], { strategy: 'ApplyOnce' });
    const json = set.resource.toJson() as { spec: Record<string, unknown> };
    expect(registry.validate(json).map(String)).toEqual([]);
    const { clusterSelector: _dropped, ...withoutSelector } = json.spec;
    const broken = { ...json, spec: { ...withoutSelector, strategy: 'Sometimes', resources: [{ kind: 'Deployment', name: 'x' }] } };
    const paths = registry.validate(broken).map((e) => e.path);
    expect(paths).toContain('/spec/clusterSelector');
    expect(paths).toContain('/spec/strategy');
    expect(paths).toContain('/spec/resources/0/kind');
  });

  it('selects the same label as the stack\'s HelmChartProxies (renderClusterResourceSet)', () => {
    const docs = yaml.loadAll(renderClusterResourceSet(identity, [{ addon: demo, manifests: manifest('ServiceAccount', 'cilium') }])) as { kind: string; spec?: { clusterSelector: unknown } }[];
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'ClusterResourceSet']);
    const label = clusterSelectorLabel(identity);
    expect(docs[1].spec?.clusterSelector).toEqual({ matchLabels: { [label.key]: label.value } });
    expect(registry.validate(docs[1]).map(String)).toEqual([]);
  });

  it('splits an addon over several ConfigMaps when its manifests exceed 1 MiB, keeping the order', () => {
    const big = 'x'.repeat(400 * 1024);
    const manifests = [0, 1, 2, 3].map((i) => manifest('ConfigMap', `part-${i}`, `data:\n  blob: ${big}\n`)).join('');
    const set = build([{ addon: demo, manifests }]);
    expect(set.configMaps.map((c) => c.name)).toEqual(['docker-scs-1-34-cni-0', 'docker-scs-1-34-cni-1']);
    const contents = set.configMaps.map((c) => (c.toJson() as { data: Record<string, string> }).data['cni.yaml']);
    for (const c of contents) expect(Buffer.byteLength(c, 'utf8')).toBeLessThanOrEqual(MAX_CONFIG_MAP_DATA_BYTES);
    const names = contents.flatMap((c) => (yaml.loadAll(c) as { metadata: { name: string } }[]).map((d) => d.metadata.name));
    expect(names).toEqual(['part-0', 'part-1', 'part-2', 'part-3']);
    expect((set.resource.toJson() as { spec: { resources: unknown[] } }).spec.resources).toEqual([
      { kind: 'ConfigMap', name: 'docker-scs-1-34-cni-0' },
      { kind: 'ConfigMap', name: 'docker-scs-1-34-cni-1' },
    ]);
  });

  it('fails when an addon has overwrite values (they differ per Cluster)', () => {
    const perCluster = new ClusterAddon({ name: 'ccm', description: 'Demo', chart, overwrite: { cluster: { name: addonContext.cluster.metadata.name } } });
    expect(() => build([{ addon: perCluster, manifests: manifest('ServiceAccount', 'ccm') }])).toThrow(
      "test/Crs: addon 'ccm' has overwrite values (cluster), which depend on each Cluster; a ClusterResourceSet applies the same objects to every Cluster",
    );
  });

  it('fails when a rendered document is not a Kubernetes object', () => {
    expect(() => build([{ addon: demo, manifests: '---\nfoo: bar\n' }])).toThrow(
      "test/Crs: addon 'cni': document 0 is not a Kubernetes object (apiVersion, kind and metadata.name are required)",
    );
  });

  it('fails when nothing was rendered', () => {
    expect(() => build([{ addon: demo, manifests: '---\n# Source: empty\n' }])).toThrow("test/Crs: addon 'cni': the rendered manifests hold no object");
  });

  it('fails when one document alone does not fit a ConfigMap', () => {
    const huge = manifest('ConfigMap', 'huge', `data:\n  blob: ${'x'.repeat(MAX_CONFIG_MAP_DATA_BYTES)}\n`);
    expect(() => build([{ addon: demo, manifests: huge }])).toThrow("test/Crs: addon 'cni': document 0 alone is");
  });

  it('fails when an addon is given twice', () => {
    const r = { addon: demo, manifests: manifest('ServiceAccount', 'cilium') };
    expect(() => build([r, r])).toThrow("test/Crs: addon 'cni' is given twice");
  });
});
