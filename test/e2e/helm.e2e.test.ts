/**
 * The release folders with the real Helm (v3.22.0, built by
 * scripts/e2e-tools.sh), run exactly as the Cluster Stack Operator runs it:
 *
 * - the cluster-class chart passes `helm lint --strict` and `helm template`
 *   renders it to exactly the objects of dist/<bundle>/cluster-class.yaml,
 *   which proves that every `{{` of the ClusterClass (enabledIf, value
 *   templates, cloud-init placeholders) is escaped for Helm;
 * - every addon stage: overwrite.yaml rendered with slim-sprig as the operator
 *   does (overwrite-render), then `helm template --include-crds
 *   --dependency-update --kube-version <metadata kubernetes> cluster-addon
 *   <addon> --namespace kube-system -f -` in the untarred cluster-addon
 *   archive, and the output parsed with the operator's parser (k8s-check
 *   resources).
 *
 * The upstream charts cannot be downloaded here, so every dependency resolves
 * to a stand-in of the same name and version (support/stand-in-charts.ts)
 * that echoes the values it receives; the tests assert on them. For releases
 * whose dependencies are not vendored, the stand-ins come from a Helm
 * repository on 127.0.0.1, and the ONLY change to the release is in a scratch
 * copy of the untarred archive: each dependency's `repository:` line in the
 * addon's Chart.yaml points to that repository. Releases with vendored
 * dependencies (release --vendor-from) are rendered unchanged.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleCluster, nonDefaultValues, readDistClusterClass } from './support/clusters.ts';
import { e2e, e2eEnabled, helmEnv, type E2eContext, type ReleaseInfo, type ReleaseSet } from './support/context.ts';
import { extractTgz, freshDir } from './support/files.ts';
import { compareWithDist, expectedSubchartValues, helmTemplateAddon, helmTemplateClusterClass, splitHelmOutput } from './support/helm.ts';
import { assertFailure, assertSuccess, describeRun, run, type RunResult } from './support/run.ts';
import { STAND_IN_CONFIGMAP_SUFFIX, standInCrdName, type ChartDependency } from './support/stand-in-charts.ts';
import { at, isObject, parseObjects, type Json, type JsonObject } from './support/yaml.ts';

const ctx: E2eContext | undefined = e2eEnabled ? e2e() : undefined;
const stable: readonly ReleaseInfo[] = ctx?.stable.releases ?? [];
const NAMESPACE = 'e2e-stacks';

describe.skipIf(!ctx)('helm: cluster-class charts', () => {
  describe.each(stable.map((r) => [r.tag, r] as const))('%s', (_tag, release) => {
    const c = ctx as E2eContext;
    const env = helmEnv(join(c.work, 'helm-cluster-class'));

    it('passes helm lint --strict', async () => {
      assertSuccess(await run(c.tools.helm, ['lint', '--strict', release.clusterClassChart], { cwd: release.dir, env }), `helm lint of ${release.clusterClassChart}`);
    });

    it(`renders, as the operator runs helm template, exactly the objects of dist/${release.bundlePath}/cluster-class.yaml`, async () => {
      const r = assertSuccess(await helmTemplateClusterClass(c.tools.helm, env, release.dir, release.clusterClassChart, release.releaseName, NAMESPACE), 'helm template of the cluster-class chart');
      const diffs = compareWithDist(r.stdout, release.distDir);
      expect(diffs, `helm's rendering differs from dist/${release.bundlePath}/cluster-class.yaml (unescaped {{ … }}? stale dist/ or version records?):\n${diffs.join('\n')}\n${describeRun(r, 3000)}`).toEqual([]);

      // What the operator then does with the output: kube.GetResourcesFromHelmTemplate.
      const parsed = assertSuccess(await run(c.tools.k8sCheck, ['resources'], { input: r.stdout }), "the operator's parsing of the cluster-class helm output");
      expect(parsed.stdout.trim().split('\n')).toHaveLength(parseObjects(r.stdout, 'helm output').length);
    });
  });
});

/** An example workload cluster, as the objects the operator hands overwrite.yaml. */
interface Example {
  readonly label: string;
  readonly name: string;
  readonly host: string;
  /** Every ClusterClass variable as the Cluster has it: its value, else the variable's default. */
  readonly variables: Readonly<Record<string, Json>>;
  readonly objects: { Cluster: JsonObject; ControlPlane: JsonObject; InfraCluster: JsonObject };
}

function examples(release: ReleaseInfo): Example[] {
  const dist = readDistClusterClass(release.distDir);
  const variables = dist.variables;
  // The infrastructure cluster the topology controller creates from the class's template.
  const infraKind = String(at(dist.clusterClass, 'spec', 'infrastructure', 'ref', 'kind')).replace(/Template$/, '');
  const defaults = Object.fromEntries(variables.filter((v) => v.default !== undefined).map((v) => [v.name, v.default as Json]));
  const all = nonDefaultValues(variables);
  if (all.problems.length > 0) throw new Error(all.problems.join('\n'));
  const make = (label: string, name: string, host: string, vars: Record<string, Json>): Example => {
    const cluster = exampleCluster({ name, namespace: NAMESPACE, className: release.clusterClassName, version: release.kubernetes, variables: vars, controlPlaneEndpoint: { host, port: 6443 } });
    const ref = (apiVersion: string, kind: string) => ({ apiVersion, kind, name: `${name}-${kind.toLowerCase()}`, namespace: NAMESPACE });
    const cp = ref('controlplane.cluster.x-k8s.io/v1beta1', 'KubeadmControlPlane');
    const infra = ref('infrastructure.cluster.x-k8s.io/v1beta1', infraKind);
    // What the API server returns: uid, spec refs set by the topology controller.
    const clusterFromServer: JsonObject = { ...cluster, metadata: { ...(cluster.metadata as JsonObject), uid: '3f1e0c6a-6c43-4d0e-9e43-1f6f1b7d2a11' }, spec: { ...(cluster.spec as JsonObject), controlPlaneRef: cp, infrastructureRef: infra } };
    return {
      label,
      name,
      host,
      variables: { ...defaults, ...vars },
      objects: {
        Cluster: clusterFromServer,
        ControlPlane: { apiVersion: cp.apiVersion, kind: cp.kind, metadata: { name: cp.name, namespace: NAMESPACE }, spec: { replicas: 1, version: release.kubernetes } },
        InfraCluster: { apiVersion: infra.apiVersion, kind: infra.kind, metadata: { name: infra.name, namespace: NAMESPACE }, spec: { controlPlaneEndpoint: { host, port: 6443 } } },
      },
    };
  };
  return [
    make('defaults', 'e2e-addons-defaults', 'api.defaults.e2e.example', {}),
    make('every variable set', 'e2e-addons-all-variables', '203.0.113.10', all.values),
  ];
}

/** Values that specific dependencies must receive from overwrite.yaml (the rest is checked generically). */
const WIRING: Readonly<Record<string, (e: Example) => readonly [readonly string[], Json][]>> = {
  'openstack-cloud-controller-manager': (e) => [[['cluster', 'name'], e.name]],
  'openstack-cinder-csi': (e) => [[['clusterID'], e.name]],
  'metrics-server': (e) => [[['commonLabels', 'domain'], e.host]],
  // The Secret CAPH copies into the workload cluster: the Cluster's name and key, the network ID beside them.
  'hcloud-cloud-controller-manager': (e) => [
    [['env', 'HCLOUD_TOKEN', 'valueFrom', 'secretKeyRef'], { name: e.variables.hcloudTokenSecretName, key: e.variables.hcloudTokenSecretKey }],
    [['env', 'HCLOUD_NETWORK', 'valueFrom', 'secretKeyRef'], { name: e.variables.hcloudTokenSecretName, key: 'network', optional: true }],
    [['env', 'HCLOUD_LOAD_BALANCERS_LOCATION', 'value'], e.variables.region],
    [['env', 'HCLOUD_LOAD_BALANCERS_USE_PRIVATE_IP', 'value'], String(e.variables.privateNetwork)],
  ],
  'hcloud-csi': (e) => [
    [['controller', 'hcloudToken', 'existingSecret'], { name: e.variables.hcloudTokenSecretName, key: e.variables.hcloudTokenSecretKey }],
    [['controller', 'hcloudVolumeDefaultLocation'], e.variables.region],
  ],
};

interface Stage {
  readonly addon: string;
  readonly dependencies: readonly ChartDependency[];
  readonly hasOverwrite: boolean;
}

/** The addons of clusteraddon.yaml's stages, once each, in stage order. */
function stagesOf(release: ReleaseInfo): string[] {
  const config = yaml.load(readFileSync(join(release.dir, 'clusteraddon.yaml'), 'utf8')) as { addonStages?: Record<string, { name: string }[]> };
  return [...new Set(Object.values(config.addonStages ?? {}).flatMap((stages) => stages.map((s) => s.name)))];
}

function readStage(unpacked: string, addon: string): Stage {
  const chart = yaml.load(readFileSync(join(unpacked, addon, 'Chart.yaml'), 'utf8')) as { dependencies?: ChartDependency[] };
  return { addon, dependencies: chart.dependencies ?? [], hasOverwrite: existsSync(join(unpacked, addon, 'overwrite.yaml')) };
}

/**
 * A scratch copy of the untarred archive whose addon Chart.yaml files name
 * the loopback repository instead of the upstream one. Only the value of
 * each `repository:` line changes; the test checks that nothing else does.
 */
function pointToLoopback(unpacked: string, addons: readonly string[], url: string, target: string): string {
  cpSync(unpacked, target, { recursive: true });
  for (const addon of addons) {
    const file = join(target, addon, 'Chart.yaml');
    const before = readFileSync(file, 'utf8');
    const after = before.replace(/^(\s*(?:-\s+)?repository:\s*).*$/gm, `$1${url}`);
    const deps = (yaml.load(before) as { dependencies?: unknown[] }).dependencies ?? [];
    const changed = before.split('\n').filter((l, i) => l !== after.split('\n')[i]).length;
    if (changed !== deps.length) throw new Error(`${file}: expected to rewrite ${deps.length} repository line(s), rewrote ${changed}`);
    const parsedBefore = yaml.load(before) as { dependencies?: JsonObject[] };
    const parsedAfter = yaml.load(after) as { dependencies?: JsonObject[] };
    const strip = (c: { dependencies?: JsonObject[] }) => JSON.stringify({ ...c, dependencies: (c.dependencies ?? []).map((d) => ({ ...d, repository: '' })) });
    if (strip(parsedBefore) !== strip(parsedAfter)) throw new Error(`${file}: rewriting repository: changed more than the repositories`);
    writeFileSync(file, after);
  }
  return target;
}

async function renderOverwrite(c: E2eContext, dir: string, addon: string, example: Example): Promise<string> {
  const objectsFile = join(dir, `${example.name}-objects.yaml`);
  writeFileSync(objectsFile, yaml.dump(example.objects, { noRefs: true }));
  const r = assertSuccess(await run(c.tools.overwriteRender, ['-objects', objectsFile, join(dir, addon, 'overwrite.yaml')]), `overwrite-render of ${addon}/overwrite.yaml for ${example.label}`);
  return r.stdout;
}

/** Checks one helm output of an addon against the stand-ins' echo. */
function checkAddonOutput(r: RunResult, stage: Stage, release: ReleaseInfo, chartValues: JsonObject, userValues: JsonObject, example: Example): void {
  const { objects } = splitHelmOutput(r.stdout);
  const context = `${stage.addon} for the ${example.label} example:\n${describeRun(r, 4000)}`;
  for (const dep of stage.dependencies) {
    const alias = dep.alias ?? dep.name;
    const cm = objects.find((o) => o.kind === 'ConfigMap' && at(o, 'metadata', 'name') === `${dep.name}${STAND_IN_CONFIGMAP_SUFFIX}`);
    expect(cm, `no ConfigMap from the stand-in of ${dep.name} ${dep.version} in ${context}`).toBeDefined();
    const data = at(cm, 'data');
    expect(at(cm, 'metadata', 'namespace'), context).toBe('kube-system');
    expect(at(data, 'chart'), context).toBe(`${dep.name}-${dep.version}`);
    expect(at(data, 'kubeVersion'), `--kube-version ${release.kubernetes} did not reach the chart: ${context}`).toBe(release.kubernetes);
    const got = JSON.parse(String(at(data, 'values.json'))) as JsonObject;
    const { global: _global, ...received } = got;
    const want = expectedSubchartValues(chartValues, userValues, alias);
    expect(received, `values of ${dep.name} (alias ${alias}) ≠ ${stage.addon}/values.yaml merged with the rendered overwrite.yaml: ${context}`).toEqual(want);
    for (const [path, value] of WIRING[dep.name]?.(example) ?? []) {
      expect(at(received, ...path), `${dep.name}: ${path.join('.')}: ${context}`).toEqual(value);
    }
    expect(
      objects.some((o) => o.kind === 'CustomResourceDefinition' && at(o, 'metadata', 'name') === standInCrdName(dep.name)),
      `--include-crds: the stand-in's CRD is missing: ${context}`,
    ).toBe(true);
  }
}

function describeAddons(set: (c: E2eContext) => ReleaseSet, vendored: boolean): void {
  const releases = ctx ? set(ctx).releases : [];
  describe.each(releases.map((r) => [r.tag, r] as const))('%s', (_tag, release) => {
    const c = ctx as E2eContext;
    const env = helmEnv(join(c.work, `helm-addons-${vendored ? 'vendored' : 'repository'}`));
    const stages = stagesOf(release);
    let unpacked = '';
    let exampleList: Example[] = [];

    beforeAll(async () => {
      unpacked = freshDir(join(c.work, 'addons'), `${release.tag}-${vendored ? 'vendored' : 'repository'}`);
      await extractTgz(join(release.dir, release.clusterAddonArchive), unpacked);
      exampleList = examples(release);
    });

    it.each(stages)('%s', async (addon) => {
      const stage = readStage(unpacked, addon);
      expect(existsSync(join(unpacked, addon, 'charts')), `${addon}: charts/ ${vendored ? 'missing in a vendored' : 'present in a non-vendored'} release`).toBe(vendored && stage.dependencies.length > 0);
      const chartValues = (yaml.load(readFileSync(join(unpacked, addon, 'values.yaml'), 'utf8')) ?? {}) as JsonObject;
      // One scratch copy per addon: the operator untars once and runs helm in place.
      const dir = vendored ? unpacked : pointToLoopback(unpacked, [addon], c.chartRepository.url, freshDir(join(c.work, 'addons'), `${release.tag}-${addon}-loopback`));

      const rendered = new Set<string>();
      for (const [i, example] of exampleList.entries()) {
        const values = stage.hasOverwrite ? await renderOverwrite(c, dir, addon, example) : '';
        rendered.add(values);
        const userValues = (yaml.load(values) ?? {}) as JsonObject;
        expect(isObject(userValues), `${addon}: the rendered values are not a map:\n${values}`).toBe(true);

        const r = assertSuccess(await helmTemplateAddon(c.tools.helm, env, dir, addon, release, values), `helm template of addon ${addon} (${example.label})`);
        checkAddonOutput(r, stage, release, chartValues, userValues, example);

        const parsed = await run(c.tools.k8sCheck, ['resources'], { input: r.stdout });
        const downloaded = !vendored && i === 0 && stage.dependencies.length > 0;
        if (downloaded) {
          // The first run fetched the dependency (helm --dependency-update
          // prints its progress on stdout, where the operator expects only
          // manifests); the operator fails this reconcile. charts/ stays in
          // its untarred folder, so its retry — the next example here — works.
          expect(splitHelmOutput(r.stdout).other.join('\n')).toContain('Getting updates for unmanaged Helm repositories');
          assertFailure(parsed, "the operator's parsing of helm output that starts with download progress");
          expect(parsed.stderr).toContain('failed to get resources from template: failed to decode YAML object');
        } else {
          assertSuccess(parsed, `the operator's parsing of the helm output of ${addon} (${example.label})`);
          expect(splitHelmOutput(r.stdout).other, `${addon}: helm printed something besides manifests:\n${describeRun(r, 3000)}`).toEqual([]);
        }
      }
      // overwrite.yaml exists for per-cluster values: the examples differ in
      // name, endpoint and every variable, so its renderings must differ too.
      if (stage.hasOverwrite) expect(rendered.size, `${addon}/overwrite.yaml rendered the same values for different Clusters:\n${[...rendered].join('\n---\n')}`).toBe(exampleList.length);
    });
  });
}

describe.skipIf(!ctx)('helm: addons, dependencies from a Helm repository (not vendored)', () => {
  describeAddons((c) => c.stable, false);
});

describe.skipIf(!ctx)('helm: addons, dependencies vendored into charts/ (release --vendor-from)', () => {
  describeAddons((c) => c.vendored, true);
});
