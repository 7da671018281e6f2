import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { BundleFiles } from '../../../../constructs/cluster-stack.ts';
import { HELM_CHART_PROXIES_FILE } from '../../../../constructs/helm-chart-proxy.ts';
import { dumpYaml } from '../../../../constructs/cluster-addon.ts';
import { KUSTOMIZATION_FILE, MANIFEST_FILES, kustomization } from '../../../../lib/bytes/gitops/kustomization.ts';

const renderKustomization = (paths: readonly string[]): string => dumpYaml(kustomization(paths));
import { fileOf, gitopsBundles, type GitopsBundle } from './support.ts';

function isKubernetesObject(doc: unknown): boolean {
  if (doc === null || typeof doc !== 'object') return false;
  const o = doc as Record<string, unknown>;
  const metadata = o.metadata as Record<string, unknown> | undefined;
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof metadata?.name === 'string';
}

describe('renderKustomization', () => {
  it('lists the manifests a bundle has, ClusterClass first', () => {
    expect(renderKustomization(['metadata.yaml', HELM_CHART_PROXIES_FILE, 'cluster-class.yaml', 'node-images.yaml', 'cluster-addon/cni/Chart.yaml'])).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cluster-class.yaml\n  - node-images.yaml\n  - helm-chart-proxies.yaml\n',
    );
    expect(yaml.load(renderKustomization(['cluster-class.yaml']))).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['cluster-class.yaml'],
    });
  });

  it('fails when the bundle has no cluster-class.yaml', () => {
    expect(() => renderKustomization(['metadata.yaml'])).toThrow('kustomization.yaml: the bundle has no cluster-class.yaml; got metadata.yaml');
  });
});

describe('kustomization.yaml of the shipped bundles', () => {
  let bundles: GitopsBundle[];
  beforeAll(() => {
    bundles = gitopsBundles();
  });

  it('lists exactly the bundle files that hold Kubernetes objects (nothing for the operator)', () => {
    for (const b of bundles) {
      const resources = (yaml.load(fileOf(b, KUSTOMIZATION_FILE)) as { resources: string[] }).resources;
      const manifests = b.files
        .filter((f) => f.path !== KUSTOMIZATION_FILE)
        // YAML files only: node-image/ holds a build script and JSON for image-builder.
        .filter((f) => f.path.endsWith('.yaml'))
        .filter((f) => {
          const docs = yaml.loadAll(f.content).filter((d) => d !== null);
          return docs.length > 0 && docs.every(isKubernetesObject);
        })
        .map((f) => f.path);
      expect(resources, b.path).toEqual(MANIFEST_FILES.filter((m) => manifests.includes(m)));
      expect(new Set(resources), b.path).toEqual(new Set(manifests));
    }
  });

  it('lists helm-chart-proxies.yaml for every shipped bundle and node-images.yaml where the provider has them', () => {
    for (const b of bundles) {
      const resources = (yaml.load(fileOf(b, KUSTOMIZATION_FILE)) as { resources: string[] }).resources;
      expect(resources, b.path).toEqual(
        // CAPD runs kind's node images; every cloud provider ships its own.
        b.identity.provider !== 'docker' ? ['cluster-class.yaml', 'node-images.yaml', 'helm-chart-proxies.yaml'] : ['cluster-class.yaml', 'helm-chart-proxies.yaml'],
      );
    }
  });

  it('sets no namespace: the consumer chooses it, and proxies must share the Clusters\' namespace', () => {
    for (const b of bundles) {
      expect(Object.keys(yaml.load(fileOf(b, KUSTOMIZATION_FILE)) as object)).toEqual(['apiVersion', 'kind', 'resources']);
      for (const f of [BundleFiles.clusterClass, HELM_CHART_PROXIES_FILE]) {
        for (const doc of yaml.loadAll(fileOf(b, f)) as { metadata: { namespace?: string } }[]) expect(doc.metadata.namespace, `${b.path}/${f}`).toBeUndefined();
      }
    }
  });
});
