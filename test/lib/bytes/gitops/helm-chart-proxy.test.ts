import { App, Chart } from 'cdk8s';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { addonContext, clusterVariable } from '../../../../constructs/addon-context.ts';
import { ClusterAddon, type OverwriteValue } from '../../../../constructs/cluster-addon.ts';
import { concat, Expr } from '../../../../constructs/expression.ts';
import { unescapeGoTemplate } from '../../../../constructs/go-template.ts';
import {
  CAAPH_SAME_DATA_PATHS,
  CORE_ADDON_HELM_OPTIONS,
  clusterClassSelectorLabel,
  HELM_CHART_PROXIES_FILE,
  HelmChartProxy,
  helmChartProxies,
  ReconcileStrategy,
  renderValuesTemplate,
} from '../../../../constructs/helm-chart-proxy.ts';
import { KubernetesVersion } from '../../../../constructs/kubernetes-version.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { CrdSchemaRegistry } from '../../../../lib/pipeline/crd-schema.ts';
import { shippedBundlePaths } from '../../../shipped.ts';
import { fileOf, gitopsBundles, type GitopsBundle } from './support.ts';

const identity = { provider: 'openstack', stack: 'scs', kubernetes: KubernetesVersion.parse('1.34.7') };
const chart = { name: 'demo', repository: 'https://charts.example.org/', version: '1.2.3' };

function addon(props: { values?: Record<string, unknown>; overwrite?: Record<string, OverwriteValue>; name?: string; chart?: typeof chart } = {}): ClusterAddon {
  return new ClusterAddon({ name: props.name ?? 'demo', description: 'Demo', chart: props.chart ?? chart, values: props.values, overwrite: props.overwrite });
}

function proxyJson(a: ClusterAddon, extra: Partial<ConstructorParameters<typeof HelmChartProxy>[2]> = {}): Record<string, unknown> {
  const scope = new Chart(new App({ outdir: '/nonexistent' }), 'test', { disableResourceNameHashes: true });
  return new HelmChartProxy(scope, 'Proxy', { name: 'openstack-scs-1-34-demo', addon: a, clusterSelector: { 'cluster-stacks.x-k8s.io/openstack-scs-1-34': 'true' }, ...extra }).resource.toJson() as Record<string, unknown>;
}

function specOf(json: Record<string, unknown>): Record<string, unknown> {
  return json.spec as Record<string, unknown>;
}

/** An expression over the workload objects, as addon-context.ts builds them. */
/** An expression reading an object path, declared in its dependencies as addon-context.ts declares its reads. */
function objectPath(root: string, path: string): Expr<string> {
  return Expr.create<string>({ render: () => `.${root}.${path}`, objects: [`${root}.${path}`] });
}

describe('HelmChartProxy', () => {
  it('pins the upstream chart and selects Clusters by label, with the core addon options', () => {
    const json = proxyJson(addon({ values: { a: 1 } }));
    expect(json.apiVersion).toBe('addons.cluster.x-k8s.io/v1alpha1');
    expect(json.kind).toBe('HelmChartProxy');
    expect(json.metadata).toEqual({ name: 'openstack-scs-1-34-demo' });
    expect(specOf(json)).toEqual({
      chartName: 'demo',
      repoURL: 'https://charts.example.org/',
      version: '1.2.3',
      releaseName: 'demo',
      namespace: 'kube-system',
      clusterSelector: { matchLabels: { 'cluster-stacks.x-k8s.io/openstack-scs-1-34': 'true' } },
      valuesTemplate: 'a: 1\n',
      reconcileStrategy: 'InstallOnce',
      options: { wait: false, timeout: '5m0s', install: { createNamespace: true } },
    });
  });

  it('takes the release namespace, release name, strategy and options when given', () => {
    const spec = specOf(proxyJson(addon(), {
      releaseNamespace: 'monitoring',
      releaseName: 'demo-release',
      reconcileStrategy: ReconcileStrategy.CONTINUOUS,
      options: { wait: true, timeout: '15m0s' },
    }));
    expect(spec.namespace).toBe('monitoring');
    expect(spec.releaseName).toBe('demo-release');
    expect(spec.reconcileStrategy).toBe('Continuous');
    expect(spec.options).toEqual({ wait: true, timeout: '15m0s' });
  });

  it('keeps oci:// repositories as CAAPH expects them (repoURL without the chart, chartName apart)', () => {
    const spec = specOf(proxyJson(addon({ chart: { name: 'demo', repository: 'oci://registry.example.org/charts', version: '1.2.3' } })));
    expect(spec.repoURL).toBe('oci://registry.example.org/charts');
    expect(spec.chartName).toBe('demo');
  });

  it('leaves valuesTemplate out when the addon has no values', () => {
    expect(specOf(proxyJson(addon())).valuesTemplate).toBeUndefined();
  });

  it('fails when the name is longer than a label value (CAAPH labels releases with it)', () => {
    expect(() => proxyJson(addon(), { name: 'x'.repeat(64) })).toThrow("test/Proxy: addon 'demo': HelmChartProxy 'name' 'xxxxxxxx");
  });

  it('fails when the release name is longer than Helm allows', () => {
    expect(() => proxyJson(addon(), { releaseName: 'r'.repeat(54) })).toThrow(
      `test/Proxy: addon 'demo': 'releaseName' '${'r'.repeat(54)}' is longer than 53 characters (Helm's limit)`,
    );
  });

  it('fails when the release namespace is not a DNS label', () => {
    expect(() => proxyJson(addon(), { releaseNamespace: 'Kube_System' })).toThrow("test/Proxy: addon 'demo': 'releaseNamespace' 'Kube_System' is not a valid name");
  });

  it('fails when the cluster selector is empty (it would select every Cluster in the namespace)', () => {
    expect(() => proxyJson(addon(), { clusterSelector: {} })).toThrow("test/Proxy: addon 'demo': 'clusterSelector' is empty");
  });
});

describe('renderValuesTemplate', () => {
  it('merges the overwrite values into the values as Helm merges -f overwrite.yaml: maps by key, the rest replaced', () => {
    const a = addon({
      values: { keep: 1, map: { a: 1, b: { c: 2 } }, list: [1, 2], scalar: 'old', gone: { x: 1 } },
      overwrite: { map: { b: { d: 3 } }, list: [3], scalar: 'new', gone: null, added: true },
    });
    expect(yaml.load(renderValuesTemplate(a) ?? '')).toEqual({
      keep: 1,
      map: { a: 1, b: { c: 2, d: 3 } },
      list: [3],
      scalar: 'new',
      gone: null,
      added: true,
    });
  });

  it('renders expressions as {{ … | toJson }}, as overwrite.yaml does', () => {
    const a = addon({ values: { x: 1 }, overwrite: { name: addonContext.cluster.metadata.name, nested: { host: addonContext.cluster.spec.controlPlaneEndpoint.host } } });
    expect(renderValuesTemplate(a)).toBe(
      'name: {{ .Cluster.metadata.name | toJson }}\nnested:\n  host: {{ .Cluster.spec.controlPlaneEndpoint.host | toJson }}\nx: 1\n',
    );
  });

  it('writes each prelude once, before the values', () => {
    const flag = new ClusterClassVariable('demoFlag', { schema: VariableSchema.boolean({ default: true }) });
    const a = addon({ overwrite: { one: clusterVariable(flag), two: clusterVariable(flag) } });
    const template = renderValuesTemplate(a) ?? '';
    const lines = template.split('\n');
    expect(lines[0]).toBe('{{ $demoFlag := true }}{{ with .Cluster.spec.topology }}{{ range .variables }}{{ if eq .name "demoFlag" }}{{ $demoFlag = .value }}{{ end }}{{ end }}{{ end }}');
    expect(lines.slice(1).join('\n')).toBe('one: {{ $demoFlag | toJson }}\ntwo: {{ $demoFlag | toJson }}\n');
  });

  it('escapes literal text that looks like a template, so CAAPH passes it through', () => {
    const template = renderValuesTemplate(addon({ values: { annotation: 'release {{ .Release.Name }}' } })) ?? '';
    expect(template).toBe('annotation: release {{"{{"}} .Release.Name }}\n');
    expect(unescapeGoTemplate(template)).toBe('annotation: release {{ .Release.Name }}\n');
  });

  it('does not take .Cluster text inside literal values for a read', () => {
    expect(() => renderValuesTemplate(addon({ values: { note: 'see {{ .Cluster.spec.topology.class }}' } }))).not.toThrow();
  });

  it('fails when an expression would replace a map of the values (Helm would merge into it)', () => {
    const a = addon({ values: { labels: { a: 'b' } }, overwrite: { labels: addonContext.cluster.metadata.name } });
    expect(() => renderValuesTemplate(a)).toThrow(`addon 'demo': overwrite value .labels is an expression over a map in values (["a"])`);
  });

  it('fails when an expression reads a Cluster path that Cluster API v1beta2 (what CAAPH reads) names differently', () => {
    const a = addon({ overwrite: { cls: objectPath('Cluster', 'spec.topology.class') } });
    expect(() => renderValuesTemplate(a)).toThrow(
      "addon 'demo': the overwrite values read .Cluster.spec.topology.class, which is not known to have the same form in the Cluster API v1beta1 objects",
    );
  });

  it('fails when an expression reads .ControlPlane or .InfraCluster (CAAPH reads them at the v1beta2 contract)', () => {
    expect(() => renderValuesTemplate(addon({ overwrite: { r: objectPath('ControlPlane', 'spec.replicas') } }))).toThrow('read .ControlPlane.spec.replicas');
    expect(() => renderValuesTemplate(addon({ overwrite: { r: objectPath('InfraCluster', 'spec.network') } }))).toThrow('read .InfraCluster.spec.network');
    // Wherever the expression is: in a list, in a map in a list.
    expect(() => renderValuesTemplate(addon({ overwrite: { r: [1, objectPath('ControlPlane', 'spec.replicas')] } }))).toThrow('read .ControlPlane.spec.replicas');
    expect(() => renderValuesTemplate(addon({ overwrite: { r: [{ n: objectPath('InfraCluster', 'spec.network') }] } }))).toThrow('read .InfraCluster.spec.network');
  });

  it('finds the read through the dependencies of a composed expression', () => {
    const composed = concat(objectPath('Cluster', 'spec.topology.class'), '-suffix');
    expect([...composed.dependencies.objects]).toEqual(['Cluster.spec.topology.class']);
    expect(() => renderValuesTemplate(addon({ overwrite: { cls: composed } }))).toThrow('read .Cluster.spec.topology.class');
  });

  it('accepts a ClusterClass variable read from the Cluster (spec.topology.variables)', () => {
    const flag = new ClusterClassVariable('flag', { schema: VariableSchema.boolean({ default: false }) });
    const read = clusterVariable(flag);
    expect([...read.dependencies.objects]).toEqual(['Cluster.spec.topology', 'Cluster.spec.topology.variables']);
    expect(() => renderValuesTemplate(addon({ overwrite: { tls: read } }))).not.toThrow();
  });

  it('accepts every path addonContext offers', () => {
    const c = addonContext.cluster;
    const reads = [c.metadata.name, c.metadata.namespace, c.spec.controlPlaneEndpoint.host, c.spec.controlPlaneEndpoint.port, c.spec.clusterNetwork.serviceDomain, c.spec.topology.version];
    const a = addon({ overwrite: Object.fromEntries(reads.map((e, i) => [`v${i}`, e])) });
    expect(() => renderValuesTemplate(a)).not.toThrow();
    expect(CAAPH_SAME_DATA_PATHS).toContain('Cluster.spec.topology.variables');
  });

  it('keeps literal text that looks like its expression placeholder, in the valuesTemplate and in overwrite.yaml', () => {
    // The placeholder is __values_expression_<n>__; the literal text takes it and its first lengthening.
    const literal = { a: '__values_expression_0__', b: '__values_expression_x0__' };
    const a = addon({ values: literal, overwrite: { name: addonContext.cluster.metadata.name } });
    expect(renderValuesTemplate(a)).toBe('name: {{ .Cluster.metadata.name | toJson }}\na: __values_expression_0__\nb: __values_expression_x0__\n');
    const b = addon({ overwrite: { ...literal, name: addonContext.cluster.metadata.name } });
    const overwrite = b.files().find((f) => f.path === 'overwrite.yaml')?.content ?? '';
    expect((yaml.load(overwrite) as { values: string }).values).toBe(`${chart.name}:\n  name: {{ .Cluster.metadata.name | toJson }}\n  a: __values_expression_0__\n  b: __values_expression_x0__\n`);
  });

  it('keeps a key that looks like its expression placeholder, and literal text deep in lists', () => {
    const name = { name: addonContext.cluster.metadata.name };
    expect(renderValuesTemplate(addon({ values: { list: [{ '__values_expression_0__': 1 }] }, overwrite: name }))).toBe('name: {{ .Cluster.metadata.name | toJson }}\nlist:\n  - __values_expression_0__: 1\n');
    expect(renderValuesTemplate(addon({ values: { list: [['__values_expression_0__']] }, overwrite: name }))).toBe('name: {{ .Cluster.metadata.name | toJson }}\nlist:\n  - - __values_expression_0__\n');
  });
});

describe('helmChartProxies', () => {
  const clusterClassName = 'openstack-scs-1-34-v3';

  it('labels per ClusterClass: cluster-stacks.x-k8s.io/cluster-class: <class name>', () => {
    expect(clusterClassSelectorLabel(clusterClassName)).toEqual({ key: 'cluster-stacks.x-k8s.io/cluster-class', value: 'openstack-scs-1-34-v3' });
    expect(() => clusterClassSelectorLabel('Not_A_Label')).toThrow('cluster class selector label value');
  });

  it('names proxies <class name>-<addon>, in the order of the addons, InstallOnce, selecting the class label', () => {
    const proxies = helmChartProxies({ identity, clusterClassName, addons: [addon({ name: 'cni' }), addon({ name: 'ccm' })] });
    expect(proxies.map((p) => p.name)).toEqual(['openstack-scs-1-34-v3-cni', 'openstack-scs-1-34-v3-ccm']);
    for (const p of proxies) {
      const spec = specOf(p.toJson() as Record<string, unknown>);
      expect(spec.reconcileStrategy).toBe('InstallOnce');
      expect(spec.clusterSelector).toEqual({ matchLabels: { 'cluster-stacks.x-k8s.io/cluster-class': clusterClassName } });
    }
  });

  it('puts an addon into the namespace given for it', () => {
    const proxies = helmChartProxies({ identity, clusterClassName, addons: [addon({ name: 'cni' }), addon({ name: 'ccm' })] }, { releaseNamespaces: { ccm: 'cloud' } });
    expect(proxies.map((p) => specOf(p.toJson() as Record<string, unknown>).namespace)).toEqual(['kube-system', 'cloud']);
  });

  it('fails when releaseNamespaces names an addon the stack does not ship', () => {
    expect(() => helmChartProxies({ identity, clusterClassName, addons: [addon({ name: 'cni' })] }, { releaseNamespaces: { csi: 'x' } })).toThrow(
      "openstack-scs-1-34: 'releaseNamespaces' names addon 'csi', which the stack does not ship; expected one of cni",
    );
  });

  it('renders nothing for a stack without addons', () => {
    expect(helmChartProxies({ identity, clusterClassName, addons: [] })).toEqual([]);
  });
});

/** `{{ X | toJson }}` actions become the string "expr:X"; other text is unescaped. */
function tokenize(template: string): { preludes: string[]; values: unknown } {
  const lines = template.split('\n');
  const preludes: string[] = [];
  while (lines.length > 0 && /^(\{\{.*?\}\})+$/.test(lines[0]) && !lines[0].includes('| toJson')) preludes.push(lines.shift() ?? '');
  const text = unescapeGoTemplate(lines.join('\n').replace(/\{\{ (.*?) \| toJson \}\}/g, (_, x: string) => JSON.stringify(`expr:${x}`)));
  return { preludes, values: yaml.load(text) ?? {} };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Helm's merge of a values file over values (maps by key, the rest replaced). */
function helmMerge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? helmMerge(out[k], v) : v;
  return out;
}

describe('the shipped stacks', () => {
  let bundles: GitopsBundle[];
  let registry: CrdSchemaRegistry;
  beforeAll(() => {
    bundles = gitopsBundles();
    registry = CrdSchemaRegistry.load(['caaph-v0.6.4']);
  });

  const proxiesOf = (b: GitopsBundle) => yaml.loadAll(fileOf(b, HELM_CHART_PROXIES_FILE)) as Record<string, unknown>[];

  it('have one proxy per addon, pinned to the addon\'s chart version and selecting the ClusterClass label', () => {
    expect(bundles).toHaveLength(shippedBundlePaths().length);
    for (const b of bundles) {
      const proxies = proxiesOf(b);
      const label = clusterClassSelectorLabel(b.clusterClassName);
      expect(proxies.map((p) => (p.metadata as { name: string }).name), b.path).toEqual(b.stack.addons.map((a) => `${b.clusterClassName}-${a.name}`));
      for (const [i, a] of b.stack.addons.entries()) {
        const spec = specOf(proxies[i]);
        expect(spec.chartName).toBe(a.chart.name);
        expect(spec.repoURL).toBe(a.chart.repository);
        expect(spec.version).toBe(a.chart.version);
        expect(spec.namespace).toBe('kube-system');
        expect(spec.options).toEqual(CORE_ADDON_HELM_OPTIONS);
        expect(spec.clusterSelector).toEqual({ matchLabels: { [label.key]: label.value } });
      }
    }
  });

  it('validate against the CAAPH v0.6.4 HelmChartProxy CRD', () => {
    const problems = bundles.flatMap((b) => proxiesOf(b).flatMap((p) => registry.validate(p, `${b.path}/${HELM_CHART_PROXIES_FILE}`).map(String)));
    expect(problems).toEqual([]);
  });

  it('fails CRD validation when a proxy is broken (missing chartName, unknown strategy, unknown field)', () => {
    const proxy = proxiesOf(bundles[0])[0];
    const spec = specOf(proxy);
    const { chartName: _dropped, ...withoutChart } = spec;
    const broken = { ...proxy, spec: { ...withoutChart, reconcileStrategy: 'Sometimes', valuesTemplates: 'x: 1' } };
    const messages = registry.validate(broken, 'broken').map((e) => `${e.path}: ${e.message}`);
    expect(messages.some((m) => m.startsWith('/spec/chartName:'))).toBe(true);
    expect(messages.some((m) => m.startsWith('/spec/reconcileStrategy:'))).toBe(true);
    expect(messages.some((m) => m.startsWith('/spec/valuesTemplates:'))).toBe(true);
  });

  it('have valuesTemplate = values.yaml with overwrite.yaml merged in: same expressions at the same paths, same preludes', () => {
    let compared = 0;
    for (const b of bundles) {
      for (const [i, a] of b.stack.addons.entries()) {
        const where = `${b.path} ${a.name}`;
        const base = (yaml.load(fileOf(b, `cluster-addon/${a.name}/values.yaml`)) as Record<string, unknown>)[a.chart.name];
        const overwritePath = `cluster-addon/${a.name}/overwrite.yaml`;
        const overwrite = b.files.some((f) => f.path === overwritePath)
          ? tokenize((yaml.load(fileOf(b, overwritePath)) as { values: string }).values)
          : { preludes: [], values: {} };
        const overwriteValues = (overwrite.values as Record<string, unknown>)[a.chart.name] ?? {};
        const template = specOf(proxiesOf(b)[i]).valuesTemplate;
        const caaph = typeof template === 'string' ? tokenize(template) : { preludes: [], values: {} };
        expect(caaph.values, where).toEqual(helmMerge(base, overwriteValues));
        expect(caaph.preludes, where).toEqual(overwrite.preludes);
        compared++;
      }
    }
    expect(compared).toBe(bundles.reduce((n, b) => n + b.stack.addons.length, 0));
  });

  it('carry the metrics-server expressions of overwrite.yaml verbatim', () => {
    const b = bundles.find((x) => x.path === 'openstack/scs/1-34');
    if (!b) throw new Error('no openstack/scs/1-34');
    const template = specOf(proxiesOf(b).find((p) => (p.metadata as { name: string }).name === `${b.clusterClassName}-metrics-server`) ?? {}).valuesTemplate;
    expect(template).toBe(
      '{{ $kubeletServingCertificates := true }}{{ with .Cluster.spec.topology }}{{ range .variables }}{{ if eq .name "kubeletServingCertificates" }}{{ $kubeletServingCertificates = .value }}{{ end }}{{ end }}{{ end }}\n' +
        'args: {{ ternary (list) (list "--kubelet-insecure-tls") $kubeletServingCertificates | toJson }}\n' +
        'commonLabels:\n  domain: {{ .Cluster.spec.controlPlaneEndpoint.host | toJson }}\n' +
        'fullnameOverride: metrics-server\n',
    );
  });
});
