import { describe, expect, it } from 'vitest';
import { addonContext, clusterVariable } from '../../../constructs/addon-context.ts';
import { ClusterAddon, type ClusterAddonProps } from '../../../constructs/cluster-addon.ts';
import { Expr } from '../../../constructs/expression.ts';
import { hardeningVariables } from '../../../constructs/hardening/kubernetes-hardening.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { addonValuesDocuments, branchDocuments, checkAddonValues } from '../../../lib/addon-values/check.ts';
import { loadContracts, pinnedContract } from '../../../lib/addon-values/contract.ts';
import { synthesize } from '../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../stacks/index.ts';

const METRICS_SERVER = { name: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server/', version: '3.13.0' };

function metricsServer(props: Partial<ClusterAddonProps> = {}): ClusterAddon {
  return new ClusterAddon({ name: 'metrics-server', description: 'Metrics Server', chart: METRICS_SERVER, ...props });
}

describe('addon values contracts', () => {
  it('cover every chart version the shipped stacks use, and the shipped values pass them', () => {
    // GIVEN every shipped stack × minor, synthesized (the check runs inside synthesis)
    const bundles = synthesize(STACKS);
    // THEN each addon dependency of each bundle has a contract
    const contracts = loadContracts();
    const charts = bundles.flatMap((b) =>
      b.files.filter((f) => f.path.endsWith('/Chart.yaml') && f.path.startsWith('cluster-addon/')).map((f) => {
        const m = /name: (\S+)\n\s+alias: \S+\n\s+repository: \S+\n\s+version: (\S+)/.exec(f.content);
        return `${m?.[1]}@${m?.[2]}`;
      }),
    );
    expect(charts.length).toBeGreaterThan(0);
    for (const c of charts) expect(contracts.has(c), `no contract for ${c}`).toBe(true);
  });

  it('are read one chart version at a time as the committed files give them, a name with a folder in it naming none', () => {
    for (const [key, c] of loadContracts()) expect(pinnedContract(c.chart, c.version), key).toEqual(c);
    expect(pinnedContract('metrics-server', '0.0.0')).toBeUndefined();
    expect(pinnedContract('../contracts/cilium', '1.18.9')).toBeUndefined();
  });

  it('records where each contract came from', () => {
    for (const [key, c] of loadContracts()) {
      expect(c.source.repository, key).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+$/);
      expect(c.source.commit, key).toMatch(/^[0-9a-f]{40}$/);
      expect(c.source.ref, key).not.toBe('');
      expect(c.source.path, key).not.toBe('');
      expect(c.derivedFrom.some((d) => d.includes('templates/')), key).toBe(true);
    }
  });
});

describe('the values check', () => {
  it('refuses an unknown key in values.yaml, naming addon, file, key path and the nearest key', () => {
    // GIVEN metrics-server values with a typo'd key
    const addon = metricsServer({ values: { fullnameOverride: 'metrics-server', tolerationz: [] } });
    // WHEN checked
    const problems = checkAddonValues(addon, 'stack demo');
    // THEN values.yaml (nested under the chart name) and the valuesTemplate both report it
    expect(problems).toContain(
      "stack demo addon 'metrics-server' cluster-addon/metrics-server/values.yaml: unknown key metrics-server.tolerationz: metrics-server 3.13.0 does not read it (nearest existing key: tolerations)",
    );
    expect(problems).toContain(
      "stack demo addon 'metrics-server' helm-chart-proxies.yaml HelmChartProxy spec.valuesTemplate: unknown key tolerationz: metrics-server 3.13.0 does not read it (nearest existing key: tolerations)",
    );
  });

  it('refuses an unknown key in overwrite.yaml', () => {
    // GIVEN an overwrite with a key at the wrong level
    const addon = metricsServer({ overwrite: { domain: addonContext.cluster.spec.controlPlaneEndpoint.host } });
    const problems = checkAddonValues(addon, 'stack demo');
    expect(problems).toContain(
      "stack demo addon 'metrics-server' cluster-addon/metrics-server/overwrite.yaml: unknown key metrics-server.domain: metrics-server 3.13.0 does not read it (keys there: additionalAnnotations, addonResizer, affinity, apiService, args, commonLabels, containerPort, defaultArgs, deploymentAnnotations, dnsConfig, extraVolumeMounts, extraVolumes, …)",
    );
  });

  it('refuses an unknown key in a HelmChartProxy valuesTemplate', () => {
    // GIVEN an addon whose valuesTemplate (values merged with overwrite) has a key below a closed map
    const addon = metricsServer({ values: { apiService: { create: true } }, overwrite: { apiService: { insecureSkipTLSVerifyy: false } } });
    const problems = checkAddonValues(addon, 'stack demo', { proxyName: 'docker-scs-1-34-metrics-server' });
    expect(problems).toContain(
      "stack demo addon 'metrics-server' helm-chart-proxies.yaml HelmChartProxy docker-scs-1-34-metrics-server spec.valuesTemplate: unknown key apiService.insecureSkipTLSVerifyy: metrics-server 3.13.0 does not read it (nearest existing key: apiService.insecureSkipTLSVerify)",
    );
    // the document checked is the merged tree, with the values' own key in it
    const doc = addonValuesDocuments(addon).find((d) => d.file.startsWith('helm-chart-proxies.yaml'));
    expect(doc?.values).toEqual({ apiService: { create: true, insecureSkipTLSVerifyy: false } });
  });

  it('refuses a value of a type the chart does not read there', () => {
    const problems = checkAddonValues(metricsServer({ values: { replicas: 'two', args: '--kubelet-insecure-tls' } }), 'stack demo');
    expect(problems).toContain("stack demo addon 'metrics-server' cluster-addon/metrics-server/values.yaml: metrics-server.replicas is a string, but metrics-server 3.13.0 reads it as number");
    expect(problems).toContain("stack demo addon 'metrics-server' cluster-addon/metrics-server/values.yaml: metrics-server.args is a string, but metrics-server 3.13.0 reads it as list");
  });

  it('accepts null (Helm deletes the default) and anything below a free-form key', () => {
    const addon = metricsServer({ values: { nodeSelector: null, resources: { requests: { cpu: '100m', anything: { deep: 1 } } }, tolerations: [{ whatever: true }] } });
    expect(checkAddonValues(addon, 'stack demo')).toEqual([]);
  });

  it('checks values once per process when they are clean, and again whenever anything the check reads differs', () => {
    // GIVEN values found clean, as every bundle of a matrix has them
    const clean = { values: { replicas: 2, args: ['--kubelet-insecure-tls'] }, overwrite: { args: Expr.create<unknown>({ render: () => '.x', outcomes: [['--a']] }) } };
    expect(checkAddonValues(metricsServer(clean), 'stack demo')).toEqual([]);
    expect(checkAddonValues(metricsServer(clean), 'stack other')).toEqual([]);
    // THEN an expression of the same shape with another outcome is checked again
    const mapOutcome = Expr.create<unknown>({ render: () => '.x', outcomes: [{ a: 1 }] });
    expect(checkAddonValues(metricsServer({ ...clean, overwrite: { args: mapOutcome } }), 'stack demo')).toContain(
      'stack demo addon \'metrics-server\' cluster-addon/metrics-server/overwrite.yaml: metrics-server.args is a map, but metrics-server 3.13.0 reads it as list',
    );
    // AND values differing by a key or a type are checked again
    expect(checkAddonValues(metricsServer({ values: { replicas: 2, args: [1, 2] } }), 'stack demo')).toEqual([]);
    expect(checkAddonValues(metricsServer({ values: { replicas: 2, argz: [1, 2] } }), 'stack demo')).toContain(
      "stack demo addon 'metrics-server' cluster-addon/metrics-server/values.yaml: unknown key metrics-server.argz: metrics-server 3.13.0 does not read it (nearest existing key: args)",
    );
    expect(checkAddonValues(metricsServer({ values: { replicas: '2', args: [1, 2] } }), 'stack demo')).toContain(
      "stack demo addon 'metrics-server' cluster-addon/metrics-server/values.yaml: metrics-server.replicas is a string, but metrics-server 3.13.0 reads it as number",
    );
  });

  it('checks every branch of the overwrite expressions, and names the branch', () => {
    // GIVEN an expression that is a list in one branch and a map in another
    const odd = Expr.create<unknown>({ render: () => '.x', outcomes: [['--kubelet-insecure-tls'], { a: 1 }] });
    const problems = checkAddonValues(metricsServer({ overwrite: { args: odd } }), 'stack demo');
    expect(problems).toContain(
      'stack demo addon \'metrics-server\' cluster-addon/metrics-server/overwrite.yaml: metrics-server.args is a map, but metrics-server 3.13.0 reads it as list (branch args = {"a":1})',
    );
    expect(problems.filter((p) => p.includes('["--kubelet-insecure-tls"]'))).toEqual([]);
  });

  it('enumerates every combination of the outcomes of the overwrite expressions', () => {
    const tls = clusterVariable(hardeningVariables.kubeletServingCertificates);
    const docs = branchDocuments('overwrite.yaml', [], { a: tls, b: { c: tls }, d: addonContext.cluster.metadata.name });
    expect(docs.map((d) => d.values)).toEqual([
      { a: true, b: { c: true }, d: 'cluster' },
      { a: true, b: { c: false }, d: 'cluster' },
      { a: false, b: { c: true }, d: 'cluster' },
      { a: false, b: { c: false }, d: 'cluster' },
    ]);
  });

  it('refuses a chart version without a contract', () => {
    const addon = metricsServer({ chart: { ...METRICS_SERVER, version: '9.9.9' } });
    expect(checkAddonValues(addon, 'stack demo')).toEqual([
      "stack demo addon 'metrics-server': no values contract for chart metrics-server 9.9.9; derive it with 'npm run addon-contract -- <chart folder> …' (README, \"Addon values contracts\")",
    ]);
  });

  it('makes synthesis fail on a wrong key, naming the stack', () => {
    // GIVEN the docker stack with an extra addon whose values carry a wrong key
    const docker = STACKS.find((d) => d.provider === 'docker') as ClusterStackDefinition<StackVersionsRow>;
    const broken: ClusterStackDefinition<StackVersionsRow> = {
      ...docker,
      versions: docker.versions.slice(-1),
      build: (stack, row) => {
        docker.build(stack, row);
        stack.addAddon(new ClusterAddon({ name: 'extra', description: 'Extra', chart: METRICS_SERVER, values: { hostNetwork: { enabledd: true } } }));
      },
    };
    expect(() => synthesize([broken])).toThrow(
      "stack docker-scs-1-34 addon 'extra' cluster-addon/extra/values.yaml: unknown key metrics-server.hostNetwork.enabledd: metrics-server 3.13.0 does not read it (nearest existing key: hostNetwork.enabled)",
    );
  });
});
