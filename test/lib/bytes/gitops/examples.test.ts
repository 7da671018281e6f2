import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterClassSelectorLabel, HELM_CHART_PROXIES_FILE } from '../../../../constructs/helm-chart-proxy.ts';
import { CrdSchemaRegistry, validateValue } from '../../../../lib/pipeline/crd-schema.ts';
import { KUSTOMIZATION_FILE } from '../../../../lib/bytes/gitops/kustomization.ts';
import { EXAMPLE_SCHEMAS } from './schemas.ts';
import { EXAMPLES, fileOf, gitopsBundles, ROOT, type GitopsBundle } from './support.ts';

interface Doc {
  readonly file: string;
  readonly object: Record<string, unknown>;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return path.endsWith('.yaml') ? [path] : [];
  });
}

function docsUnder(sub: string): Doc[] {
  return yamlFiles(join(EXAMPLES, sub)).flatMap((path) =>
    yaml.loadAll(readFileSync(path, 'utf8')).filter((d) => d !== null).map((d) => ({ file: relative(ROOT, path), object: d as Record<string, unknown> })),
  );
}

function field<T>(doc: Doc, path: string): T {
  let v: unknown = doc.object;
  for (const key of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[key];
  return v as T;
}

const kindOf = (d: Doc) => `${String(d.object.apiVersion)} ${String(d.object.kind)}`;
const nameOf = (d: Doc) => field<string>(d, 'metadata.name');

/** Expands Argo CD's `{a,b}` include pattern (the only glob syntax the examples use). */
function includePatterns(include: string): string[] {
  const m = /^\{([^{}*?[\]]+)\}$/.exec(include);
  if (m) return m[1].split(',');
  if (/[{}*?[\]]/.test(include)) throw new Error(`include '${include}': only '{a,b,…}' of plain file names is understood by this test`);
  return [include];
}

/**
 * Whether gitignore-style `rules` of the form the examples use (`/*`, then
 * `!/<folder>/` negations) leave `path` in the artifact.
 */
function notIgnored(rules: string, path: string): boolean {
  const lines = rules.split('\n').map((r) => r.trim()).filter((r) => r !== '' && !r.startsWith('#'));
  const unknown = lines.filter((l) => l !== '/*' && !/^!\/[^*?[\]]+\/$/.test(l));
  if (unknown.length > 0) throw new Error(`ignore rules ${JSON.stringify(unknown)} are not understood by this test`);
  if (!lines.includes('/*')) return true;
  const folder = `/${path.replace(/^\.\//, '').replace(/\/?$/, '/')}`;
  return lines.some((l) => l.startsWith('!') && folder.startsWith(l.slice(1)));
}

describe('examples/gitops', () => {
  let bundles: GitopsBundle[];
  let flux: Doc[];
  let argo: Doc[];
  let clusters: Doc[];
  const bundleAt = (path: string) => bundles.find((b) => b.path === path.replace(/^\.\//, '').replace(/^dist\//, '').replace(/\/$/, ''));
  const isBundlePath = (path: string) => /^(\.\/)?dist\//.test(path);

  beforeAll(() => {
    bundles = gitopsBundles();
    flux = docsUnder('flux');
    argo = docsUnder('argocd');
    clusters = docsUnder('clusters');
  });

  it('are well-formed YAML whose every document has an apiVersion, a kind and a name', () => {
    const all = [...flux, ...argo, ...clusters];
    for (const part of [flux, argo, clusters]) expect(part.length).toBeGreaterThan(0);
    for (const d of all) {
      expect(typeof d.object.apiVersion, d.file).toBe('string');
      expect(typeof d.object.kind, d.file).toBe('string');
      expect(typeof nameOf(d), d.file).toBe('string');
    }
  });

  it('use only the Flux and Argo CD fields of the explicit schemas in schemas.ts (their CRDs are not in crds/)', () => {
    for (const d of [...flux, ...argo]) {
      const schema = EXAMPLE_SCHEMAS.get(kindOf(d));
      expect(schema, `${d.file}: ${kindOf(d)} has no schema in test/lib/bytes/gitops/schemas.ts`).toBeDefined();
      if (schema) expect(validateValue(schema, d.object, d.file).map(String), d.file).toEqual([]);
    }
  });

  it('schemas.ts catches a misspelt field and a bad duration', () => {
    const k = flux.find((d) => d.object.kind === 'Kustomization');
    if (!k) throw new Error('no Flux Kustomization');
    const spec = k.object.spec as Record<string, unknown>;
    const broken = { ...k.object, spec: { ...spec, intervall: '1m', timeout: 'soon' } };
    const schema = EXAMPLE_SCHEMAS.get(kindOf(k));
    if (!schema) throw new Error('no schema');
    const paths = validateValue(schema, broken).map((e) => e.path);
    expect(paths).toContain('/spec/intervall');
    expect(paths).toContain('/spec/timeout');
  });

  it('example Clusters validate against the Cluster API v1.10.9 Cluster CRD', () => {
    const registry = CrdSchemaRegistry.load(['capi-v1.10.9']);
    expect(clusters.length).toBeGreaterThan(0);
    for (const c of clusters) {
      expect(c.object.kind, c.file).toBe('Cluster');
      expect(registry.validate(c.object, c.file).map(String)).toEqual([]);
    }
  });

  it('Flux: every Kustomization reads a GitRepository or OCIRepository of the examples and depends only on Kustomizations of the examples', () => {
    const sources = new Set(flux.filter((d) => d.object.kind === 'GitRepository' || d.object.kind === 'OCIRepository').map((d) => `${String(d.object.kind)}/${nameOf(d)}`));
    const kustomizations = flux.filter((d) => d.object.kind === 'Kustomization');
    const names = new Set(kustomizations.map(nameOf));
    expect(kustomizations.length).toBeGreaterThan(0);
    for (const k of kustomizations) {
      expect(sources.has(`${field<string>(k, 'spec.sourceRef.kind')}/${field<string>(k, 'spec.sourceRef.name')}`), k.file).toBe(true);
      for (const dep of field<{ name: string }[] | undefined>(k, 'spec.dependsOn') ?? []) expect(names.has(dep.name), `${k.file} dependsOn ${dep.name}`).toBe(true);
    }
  });

  it('Flux: every path exists — a bundle with kustomization.yaml in dist/, or a folder of this repository — and the source does not ignore it', () => {
    const ignore = flux.filter((d) => d.object.kind === 'GitRepository').map((d) => field<string>(d, 'spec.ignore'));
    // Paths of Kustomizations reading an OCIRepository are inside the artifact (test/lib/registry/flux-bundle.test.ts checks those).
    for (const k of flux.filter((d) => d.object.kind === 'Kustomization' && field<string>(d, 'spec.sourceRef.kind') === 'GitRepository')) {
      const path = field<string>(k, 'spec.path');
      if (isBundlePath(path)) {
        const bundle = bundleAt(path);
        expect(bundle, `${k.file}: ${path} is not a bundle in dist/`).toBeDefined();
        if (bundle) expect(bundle.files.some((f) => f.path === KUSTOMIZATION_FILE), `${path} has no kustomization.yaml`).toBe(true);
      } else {
        expect(existsSync(join(ROOT, path)), `${k.file}: ${path} does not exist`).toBe(true);
      }
      for (const rules of ignore) expect(notIgnored(rules, path), `${k.file}: the GitRepository ignores ${path}`).toBe(true);
    }
  });

  it('Argo CD: every path exists; bundles are read through kustomization.yaml or a directory.include of exactly its manifests', () => {
    const applications = argo.filter((d) => d.object.kind === 'Application');
    expect(applications.length).toBeGreaterThanOrEqual(2);
    let withInclude = 0;
    for (const a of applications) {
      const path = field<string>(a, 'spec.source.path');
      if (!isBundlePath(path)) {
        expect(existsSync(join(ROOT, path)), `${a.file}: ${path} does not exist`).toBe(true);
        continue;
      }
      const bundle = bundleAt(path);
      expect(bundle, `${a.file}: ${path} is not a bundle in dist/`).toBeDefined();
      if (!bundle) continue;
      const resources = (yaml.load(fileOf(bundle, KUSTOMIZATION_FILE)) as { resources: string[] }).resources;
      const include = field<string | undefined>(a, 'spec.source.directory.include');
      if (include === undefined) continue;
      withInclude++;
      expect(field<boolean | undefined>(a, 'spec.source.directory.recurse') ?? false, a.file).toBe(false);
      const rootFiles = bundle.files.map((f) => f.path).filter((p) => !p.includes('/'));
      const included = rootFiles.filter((p) => includePatterns(include).includes(p));
      expect(included.sort(), a.file).toEqual([...resources].sort());
    }
    expect(withInclude).toBeGreaterThan(0);
  });

  it('every example Cluster uses a shipped ClusterClass and Kubernetes version, and carries the label its class\'s proxies select', () => {
    for (const c of clusters) {
      const bundle = bundles.find((b) => b.clusterClassName === field<string>(c, 'spec.topology.class'));
      expect(bundle, `${c.file}: spec.topology.class ${field<string>(c, 'spec.topology.class')} is no shipped ClusterClass`).toBeDefined();
      if (!bundle) continue;
      expect(field<string>(c, 'spec.topology.version'), c.file).toBe(bundle.identity.kubernetes.toVersionTag());
      const labels = field<Record<string, string>>(c, 'metadata.labels') ?? {};
      const label = clusterClassSelectorLabel(bundle.clusterClassName);
      expect(labels[label.key], `${c.file}: label ${label.key}`).toBe(label.value);
      for (const proxy of yaml.loadAll(fileOf(bundle, HELM_CHART_PROXIES_FILE)) as { spec: { clusterSelector: { matchLabels: Record<string, string> } } }[]) {
        for (const [k, v] of Object.entries(proxy.spec.clusterSelector.matchLabels)) expect(labels[k], `${c.file} selected by ${k}`).toBe(v);
      }
    }
  });

  it('every example Cluster\'s bundle is applied by Flux and by Argo CD, into the Cluster\'s namespace (CAAPH selects Clusters in its own namespace only)', () => {
    const fluxKustomizations = flux.filter((d) => d.object.kind === 'Kustomization');
    const applications = argo.filter((d) => d.object.kind === 'Application');
    for (const c of clusters) {
      const bundle = bundles.find((b) => b.clusterClassName === field<string>(c, 'spec.topology.class'));
      if (!bundle) throw new Error(`${c.file}: no bundle`);
      const namespace = field<string>(c, 'metadata.namespace');
      const byFlux = fluxKustomizations.filter((k) => bundleAt(field<string>(k, 'spec.path')) === bundle);
      const byArgo = applications.filter((a) => bundleAt(field<string>(a, 'spec.source.path')) === bundle);
      expect(byFlux.length, `${c.file}: no Flux Kustomization applies ${bundle.path}`).toBeGreaterThan(0);
      expect(byArgo.length, `${c.file}: no Argo CD Application applies ${bundle.path}`).toBeGreaterThan(0);
      for (const k of byFlux) expect(field<string>(k, 'spec.targetNamespace'), k.file).toBe(namespace);
      for (const a of byArgo) expect(field<string>(a, 'spec.destination.namespace'), a.file).toBe(namespace);
    }
    const namespaces = flux.filter((d) => d.object.kind === 'Namespace').map(nameOf);
    for (const c of clusters) expect(namespaces, `${c.file}: the Flux examples create its namespace`).toContain(field<string>(c, 'metadata.namespace'));
  });

  it('the folder of example Clusters is applied by Flux and Argo CD after (Flux: dependsOn) the bundles', () => {
    const clustersPath = relative(ROOT, join(EXAMPLES, 'clusters'));
    const fluxClusters = flux.filter((d) => d.object.kind === 'Kustomization' && field<string>(d, 'spec.path').replace(/^\.\//, '') === clustersPath);
    expect(fluxClusters).toHaveLength(1);
    const deps = (field<{ name: string }[] | undefined>(fluxClusters[0], 'spec.dependsOn') ?? []).map((d) => d.name);
    const bundleKustomizations = flux.filter((d) => d.object.kind === 'Kustomization' && isBundlePath(field<string>(d, 'spec.path'))).map(nameOf);
    expect(deps.sort()).toEqual(bundleKustomizations.sort());
    expect(argo.filter((d) => field<string>(d, 'spec.source.path') === clustersPath)).toHaveLength(1);
  });

  it('all sources name the same repository', () => {
    const urls = new Set([
      ...flux.filter((d) => d.object.kind === 'GitRepository').map((d) => field<string>(d, 'spec.url')),
      ...argo.map((d) => field<string>(d, 'spec.source.repoURL')),
    ]);
    expect(urls.size).toBe(1);
  });
});
