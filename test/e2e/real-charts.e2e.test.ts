/**
 * The shipped addons rendered with the REAL upstream charts, whenever
 * ADDON_CHARTS_DIR names a folder of them (`<chart>-<version>.tgz`, as
 * `release --vendor-from` reads it; README, "Addon values contracts"):
 *
 * - releases are written with every addon dependency vendored from that
 *   folder (the release command's own vendoring), and each addon is rendered
 *   as the operator renders it: overwrite.yaml through the operator's
 *   template engine (overwrite-render) for an example Cluster, then
 *   `helm template --dependency-update … -f -` in the untarred archive;
 * - the operator's parsing of the output must accept it, and the objects
 *   must show the values arriving: where the Cinder CSI controller runs and
 *   what it tolerates, no Namespace object (Cilium's secrets namespaces are
 *   kube-system), Cilium's session affinity, metrics-server's TLS flag;
 * - each committed values contract whose chart is in the folder must equal
 *   what `npm run addon-contract` derives from it (and its digest must match
 *   where the contract records one).
 *
 * Without ADDON_CHARTS_DIR the suite is skipped (reported as skipped): the
 * charts cannot be downloaded here.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContracts } from '../../lib/addon-values/contract.ts';
import { extractContract } from '../../lib/addon-values/extract.ts';
import { replaceTree } from '../../lib/bytes/atomic-write.ts';
import { releaseAssetNames } from '../../lib/release/release-assets.ts';
import { planRelease, releaseTree, type ReleasePlan } from '../../lib/release/release.ts';
import { STACKS } from '../../stacks/index.ts';
import { exampleCluster, nonDefaultValues, readDistClusterClass } from './support/clusters.ts';
import { e2e, e2eEnabled, helmEnv, type E2eContext, type ReleaseInfo } from './support/context.ts';
import { extractTgz, freshDir } from './support/files.ts';
import { helmTemplateAddon, splitHelmOutput } from './support/helm.ts';
import { assertSuccess, run } from './support/run.ts';
import { at, type Json, type JsonObject } from './support/yaml.ts';

const chartsDir = process.env.ADDON_CHARTS_DIR ? resolve(process.env.ADDON_CHARTS_DIR) : undefined;
const ctx: E2eContext | undefined = e2eEnabled && chartsDir ? e2e() : undefined;
const NAMESPACE = 'e2e-real-charts';

interface Example {
  readonly label: string;
  readonly name: string;
  readonly host: string;
  readonly kubeletServingCertificates: boolean;
  readonly objects: JsonObject;
}

function examples(release: ReleaseInfo): Example[] {
  const variables = readDistClusterClass(release.distDir).variables;
  const all = nonDefaultValues(variables);
  if (all.problems.length > 0) throw new Error(all.problems.join('\n'));
  const make = (label: string, name: string, host: string, vars: Record<string, Json>): Example => {
    const cluster = exampleCluster({ name, namespace: NAMESPACE, className: release.clusterClassName, version: release.kubernetes, variables: vars, controlPlaneEndpoint: { host, port: 6443 } });
    return { label, name, host, kubeletServingCertificates: vars.kubeletServingCertificates !== false, objects: { Cluster: cluster } };
  };
  return [make('defaults', 'real-defaults', 'api.defaults.example', {}), make('every variable set', 'real-all-variables', '203.0.113.20', all.values)];
}

function releasesOf(plan: ReleasePlan, dir: string): ReleaseInfo[] {
  return plan.entries.map((e) => {
    const b = e.bundle;
    const kubernetes = (yaml.load(b.files.find((f) => f.path === 'metadata.yaml')?.content ?? '') as { versions: { kubernetes: string } }).versions.kubernetes;
    const names = releaseAssetNames(b);
    return {
      tag: b.releaseTag,
      dir: join(dir, b.releaseTag),
      bundlePath: b.path,
      distDir: join(ctx?.root ?? '', 'dist', b.path),
      provider: b.identity.provider,
      stack: b.identity.stack,
      kubernetes,
      clusterClassName: b.clusterClassName,
      clusterClassChart: names.clusterClassChart,
      clusterAddonArchive: names.clusterAddonArchive,
      releaseName: b.releaseTag.split('-').slice(0, 4).join('-'),
    };
  });
}

function addonsOf(release: ReleaseInfo): string[] {
  const config = yaml.load(readFileSync(join(release.dir, 'clusteraddon.yaml'), 'utf8')) as { addonStages: Record<string, { name: string }[]> };
  return [...new Set(Object.values(config.addonStages).flatMap((s) => s.map((e) => e.name)))];
}

function find(objects: readonly JsonObject[], kind: string, name: string): JsonObject {
  const found = objects.find((o) => o.kind === kind && at(o, 'metadata', 'name') === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${String(o.kind)}/${String(at(o, 'metadata', 'name'))}`).join(', ')}`);
  return found;
}

/** The value of an environment variable of a workload's container. */
function envOf(workload: JsonObject, container: string, name: string): Json | undefined {
  const c = (at(workload, 'spec', 'template', 'spec', 'containers') as JsonObject[]).find((x) => x.name === container);
  if (!c) throw new Error(`${String(at(workload, 'metadata', 'name'))} has no container ${container}`);
  return ((c.env ?? []) as JsonObject[]).find((v) => v.name === name)?.value;
}

const UNINITIALIZED = { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' };

/** What each addon's real chart must have rendered from our values. */
const RENDERED: Readonly<Record<string, (objects: readonly JsonObject[], e: Example) => void>> = {
  cni: (objects) => {
    const config = find(objects, 'ConfigMap', 'cilium-config');
    expect(at(config, 'metadata', 'namespace')).toBe('kube-system');
    expect(at(config, 'data', 'enable-session-affinity')).toBe('true');
    expect(at(config, 'data', 'enable-sctp')).toBe('true');
    expect(at(config, 'data', 'ipam')).toBe('kubernetes');
    expect(at(config, 'data', 'enable-gateway-api')).toBe('true');
    expect(at(config, 'data', 'gateway-api-secrets-namespace')).toBe('kube-system');
  },
  csi: (objects, e) => {
    const controller = find(objects, 'Deployment', 'openstack-cinder-csi-controllerplugin');
    expect(at(controller, 'spec', 'template', 'spec', 'nodeSelector')).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(at(controller, 'spec', 'template', 'spec', 'tolerations')).toEqual([UNINITIALIZED, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    const nodes = find(objects, 'DaemonSet', 'openstack-cinder-csi-nodeplugin');
    expect(at(nodes, 'spec', 'template', 'spec', 'tolerations')).toEqual([{ operator: 'Exists' }]);
    expect(envOf(controller, 'cinder-csi-plugin', 'CLUSTER_NAME')).toBe(e.name);
  },
  ccm: (objects, e) => {
    const ccm = find(objects, 'DaemonSet', 'openstack-cloud-controller-manager');
    expect(at(ccm, 'spec', 'template', 'spec', 'nodeSelector')).toBeUndefined();
    expect(at(ccm, 'spec', 'template', 'spec', 'tolerations')).toEqual([UNINITIALIZED]);
    expect(envOf(ccm, 'openstack-cloud-controller-manager', 'CLUSTER_NAME')).toBe(e.name);
  },
  'metrics-server': (objects, e) => {
    const deployment = find(objects, 'Deployment', 'metrics-server');
    const args = ((at(deployment, 'spec', 'template', 'spec', 'containers') as JsonObject[])[0].args ?? []) as string[];
    expect(args.includes('--kubelet-insecure-tls')).toBe(!e.kubeletServingCertificates);
    expect(at(deployment, 'metadata', 'labels', 'domain')).toBe(e.host);
  },
  'kubelet-csr-approver': (objects) => {
    // Named after the release, which the operator calls cluster-addon.
    const deployment = find(objects, 'Deployment', 'cluster-addon-kubelet-csr-approver');
    const tolerations = at(deployment, 'spec', 'template', 'spec', 'tolerations') as JsonObject[];
    expect(tolerations.map((t) => t.key)).toEqual(['node-role.kubernetes.io/control-plane', 'node.cloudprovider.kubernetes.io/uninitialized', 'node.kubernetes.io/not-ready']);
    const env = ((at(deployment, 'spec', 'template', 'spec', 'containers') as JsonObject[])[0].env ?? []) as JsonObject[];
    expect(env.find((v) => v.name === 'BYPASS_DNS_RESOLUTION')?.value).toBe('true');
  },
};

describe.skipIf(!ctx)('real upstream charts from ADDON_CHARTS_DIR', () => {
  const c = ctx as E2eContext;
  let releases: ReleaseInfo[] = [];

  beforeAll(async () => {
    const plan = await planRelease({ root: c.root, definitions: STACKS, mode: { kind: 'stable' }, vendor: { kind: 'folder', path: chartsDir as string } });
    const dir = join(c.work, 'release-real-charts');
    replaceTree(dir, releaseTree(plan), 'release');
    releases = releasesOf(plan, dir);
  });

  it('renders every addon of every release with the real charts, as the operator does, and the values arrive', async () => {
    expect(releases.length).toBeGreaterThan(0);
    const env = helmEnv(join(c.work, 'helm-real-charts'));
    for (const release of releases) {
      const unpacked = freshDir(join(c.work, 'real-charts'), release.tag);
      await extractTgz(join(release.dir, release.clusterAddonArchive), unpacked);
      for (const addon of addonsOf(release)) {
        for (const example of examples(release)) {
          const what = `${release.tag} ${addon} (${example.label})`;
          let values = '';
          if (existsSync(join(unpacked, addon, 'overwrite.yaml'))) {
            const objectsFile = join(unpacked, `${example.name}-objects.yaml`);
            writeFileSync(objectsFile, yaml.dump(example.objects, { noRefs: true }));
            values = assertSuccess(await run(c.tools.overwriteRender, ['-objects', objectsFile, join(unpacked, addon, 'overwrite.yaml')]), `overwrite-render of ${what}`).stdout;
          }
          const r = assertSuccess(await helmTemplateAddon(c.tools.helm, env, unpacked, addon, release, values), `helm template of ${what}`);
          assertSuccess(await run(c.tools.k8sCheck, ['resources'], { input: r.stdout }), `the operator's parsing of the helm output of ${what}`);
          const { objects, other } = splitHelmOutput(r.stdout);
          expect(other, `${what}: helm printed something besides manifests`).toEqual([]);
          // kube-system exists on every cluster: no addon may render a Namespace object for it.
          expect(objects.filter((o) => o.kind === 'Namespace').map((o) => at(o, 'metadata', 'name')), what).toEqual([]);
          const check = RENDERED[addon];
          expect(check, `${what}: no assertions for this addon`).toBeDefined();
          check(objects, example);
        }
      }
    }
  });

  it('derives each committed contract whose chart is in the folder exactly', () => {
    let compared = 0;
    return (async () => {
      for (const [key, contract] of loadContracts()) {
        const archive = join(chartsDir as string, `${contract.chart}-${contract.version}.tgz`);
        if (!existsSync(archive)) continue;
        const content = readFileSync(archive);
        if (contract.source.digest) expect(`sha256:${createHash('sha256').update(content).digest('hex')}`, `${key}: archive digest`).toBe(contract.source.digest);
        const dir = freshDir(join(c.work, 'contract-charts'), `${contract.chart}-${contract.version}`);
        await extractTgz(archive, dir);
        const derived = extractContract(join(dir, contract.chart), { source: contract.source, version: contract.version });
        expect(derived.values, `${key}: the committed contract differs from what ${archive} gives; refresh it (README, "Addon values contracts")`).toEqual(contract.values);
        compared++;
      }
      expect(compared, `no chart archive in ${String(chartsDir)} matches a committed contract`).toBeGreaterThan(0);
    })();
  });
});
