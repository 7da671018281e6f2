/**
 * CAAPH's own controllers on the management cluster, with a real API server
 * as the workload cluster (its kubeconfig in the `<cluster>-kubeconfig`
 * Secret, as Cluster API writes it): a Cluster moves to the next minor's
 * class and label, and every HelmReleaseProxy created and deleted and every
 * Helm release revision written or removed on the workload cluster is
 * recorded. No core addon may be uninstalled or installed afresh on the way:
 * the releases are upgraded in place.
 *
 * Two changes to the bundles' proxies, both named here: `repoURL` points at
 * a chart repository on 127.0.0.1 that holds stand-ins with the pinned chart
 * names and versions (support/chart-repo.ts; the upstream repositories cannot
 * be reached); nothing else in a proxy changes (checked).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_CLASS_LABEL } from '../../constructs/helm-chart-proxy.ts';
import { at, differences, isObject, type JsonObject } from '../e2e/support/yaml.ts';
import { shippedBundles, type Bundle } from './support/bundles.ts';
import { serveStandInCharts, STAND_IN_CONFIGMAP_SUFFIX, type ChartRepository } from './support/chart-repo.ts';
import { mgmt, mgmtEnabled } from './support/context.ts';
import { eventually, Kube } from './support/kube.ts';
import { applyClassObjects, createCluster, standInProviderStatus, waitClassReconciled, waitTopologyReconciled } from './support/topology.ts';
import { semver, upgradeCluster } from './support/upgrade.ts';
import { Watch } from './support/watch.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shipped = shippedBundles(root);
const info = mgmtEnabled ? mgmt() : undefined;
const kube = info ? new Kube(info.kubectl, info.kubeconfig) : undefined;
let charts: ChartRepository | undefined;

/** The newest minor path of each provider/stack in dist/. */
function newestMinorPaths(): [string, Bundle, Bundle][] {
  const byStack = new Map<string, Bundle[]>();
  for (const b of shipped) byStack.set(`${b.provider}/${b.stack}`, [...(byStack.get(`${b.provider}/${b.stack}`) ?? []), b]);
  return [...byStack.values()].flatMap((list) => {
    const sorted = [...list].sort((a, b) => semver(a.kubernetes)[1] - semver(b.kubernetes)[1]);
    const to = sorted.at(-1);
    const from = sorted.at(-2);
    return from && to ? [[`${from.path} → ${to.path}`, from, to] as [string, Bundle, Bundle]] : [];
  });
}

const HRP_RESOURCE = 'helmreleaseproxies.addons.cluster.x-k8s.io';
const HCP_RESOURCE = 'helmchartproxies.addons.cluster.x-k8s.io';
const PROXY_NAME_LABEL = 'helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name';

/** The bundle's proxies with repoURL on the stand-in repository, and a check that nothing else changed. */
function localProxies(b: Bundle, url: string): JsonObject[] {
  return b.proxies.map((p) => {
    const copy = JSON.parse(JSON.stringify(p)) as JsonObject;
    if (isObject(copy.spec)) copy.spec.repoURL = url;
    const changed = differences(p, copy);
    if (changed.length !== 1 || !changed[0]?.startsWith('/spec/repoURL')) throw new Error(`${b.path}: rewriting repoURL changed more: ${changed.join('; ')}`);
    return copy;
  });
}

interface ProxyRelease {
  readonly proxy: string;
  readonly chart: string;
  readonly version: string;
  readonly release: string;
}

function proxyReleases(b: Bundle): ProxyRelease[] {
  return b.proxies.map((p) => ({
    proxy: String(at(p, 'metadata', 'name')),
    chart: String(at(p, 'spec', 'chartName')),
    version: String(at(p, 'spec', 'version')),
    release: String(at(p, 'spec', 'releaseName') ?? at(p, 'spec', 'chartName')),
  }));
}

/** What happened to the addons of one Cluster while it moved. */
export interface AddonRecord {
  readonly lines: string[];
  /** HelmReleaseProxies of the old proxies that were still there after the move (before the old proxies were deleted). */
  readonly keptAfterMove: number;
  readonly helmReleaseProxiesCreated: string[];
  readonly helmReleaseProxiesDeleted: string[];
  /** release names: installed afresh (revision 1 written) */
  readonly installed: string[];
  /** `release rN` for each revision > 1 written */
  readonly upgraded: string[];
  /** release names with a revision removed or marked uninstalling */
  readonly uninstalled: string[];
}

function analyse(hrps: Watch, releases: Watch, hrpsBefore: number, releasesBefore: number, keptAfterMove: number): AddonRecord {
  const lines: string[] = [`${keptAfterMove} HelmReleaseProxies of the old class's proxies left after the move, until those proxies were deleted`];
  const created: string[] = [];
  const deleted: string[] = [];
  for (const e of hrps.events.slice(hrpsBefore)) {
    const name = String(at(e.object, 'metadata', 'name'));
    const proxy = String(at(e.object, 'metadata', 'labels', PROXY_NAME_LABEL));
    if (e.type === 'ADDED') {
      created.push(proxy);
      lines.push(`HelmReleaseProxy ${name} (proxy ${proxy}) created`);
    } else if (e.type === 'DELETED') {
      deleted.push(proxy);
      lines.push(`HelmReleaseProxy ${name} (proxy ${proxy}) deleted`);
    }
  }
  const installed: string[] = [];
  const upgraded: string[] = [];
  const uninstalled = new Set<string>();
  for (const e of releases.events.slice(releasesBefore)) {
    const release = String(at(e.object, 'metadata', 'labels', 'name'));
    const revision = Number(at(e.object, 'metadata', 'labels', 'version'));
    const status = String(at(e.object, 'metadata', 'labels', 'status'));
    if (e.type === 'ADDED') {
      if (revision === 1) installed.push(release);
      else upgraded.push(`${release} r${revision}`);
      lines.push(`helm release ${release} revision ${revision} written (${status})`);
    } else if (e.type === 'DELETED') {
      uninstalled.add(release);
      lines.push(`helm release ${release} revision ${revision} removed`);
    } else if (status === 'uninstalling' || status === 'uninstalled') {
      uninstalled.add(release);
      lines.push(`helm release ${release} revision ${revision} ${status}`);
    }
  }
  return { lines, keptAfterMove, helmReleaseProxiesCreated: created, helmReleaseProxiesDeleted: deleted, installed, upgraded, uninstalled: [...uninstalled] };
}

/** The check: no release of a core addon uninstalled or installed afresh while its Cluster moved. */
export function assertAddonsUpgradedInPlace(record: AddonRecord, what: string): void {
  const problems = [
    ...record.uninstalled.map((r) => `release ${r} was uninstalled`),
    ...record.installed.map((r) => `release ${r} was installed afresh (revision 1)`),
  ];
  if (problems.length > 0) throw new Error(`${what}: ${problems.join('; ')}\n${record.lines.join('\n')}`);
}

/**
 * Puts a Cluster on `from` (its proxies installed on the workload cluster),
 * moves it to `to` with Cluster API's topology (upgradeCluster) and the
 * class label, and records what CAAPH did until `to`'s releases are deployed.
 */
async function moveAndRecord(ns: string, workload: Kube, from: Bundle, to: Bundle, labelOf: (b: Bundle) => Record<string, string | null>, waitDeployed = true): Promise<AddonRecord> {
  const k = kube as Kube;
  const url = (charts as ChartRepository).url;
  await k.createNamespace(ns);
  // The workload cluster's kubeconfig where Cluster API keeps it.
  await k.applyOk([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c1-kubeconfig', labels: { 'cluster.x-k8s.io/cluster-name': 'c1' } }, type: 'cluster.x-k8s.io/secret', stringData: { value: workloadConfig(workload) } }], ns);
  for (const b of [from, to]) {
    await applyClassObjects(k, b, ns);
    await k.applyOk(localProxies(b, url), ns, { fieldManager: 'gitops' });
  }
  await Promise.all([from, to].map((b) => waitClassReconciled(k, ns, b.clusterClassName)));
  await createCluster(k, { name: 'c1', namespace: ns, bundle: from, labels: Object.fromEntries(Object.entries(labelOf(from)).filter((e): e is [string, string] => e[1] !== null)) });
  await waitTopologyReconciled(k, ns, 'c1');
  await standInProviderStatus(k, ns, 'c1', from.kubernetes);

  const fromReleases = proxyReleases(from);
  await waitReleasesDeployed(k, workload, ns, fromReleases);

  const hrps = new Watch(info?.kubectl ?? '', info?.kubeconfig ?? '', HRP_RESOURCE, ns);
  const releases = new Watch(info?.kubectl ?? '', workload.kubeconfig, 'secrets', 'kube-system', 'owner=helm');
  try {
    // The existing objects arrive first as ADDED events.
    await eventually('the watches to report the current objects', async () => (hrps.events.length >= fromReleases.length && releases.events.length >= fromReleases.length ? true : undefined), () => `${hrps.errors} ${releases.errors}`);
    await new Promise((r) => setTimeout(r, 1000));
    const hrpsBefore = hrps.events.length;
    const releasesBefore = releases.events.length;

    const movedAt = Date.now();
    const upgrade = await upgradeCluster(k, ns, 'c1', from, to, { labels: labelOf(to), apply: false });
    if (waitDeployed) await waitReleasesDeployed(k, workload, ns, proxyReleases(to));
    else await eventually(`HelmReleaseProxies of ${to.clusterClassName}'s proxies`, async () => ((await k.list(HRP_RESOURCE, ns)).length >= proxyReleases(to).length ? true : undefined));
    // The old class's proxies go when its bundle is removed (a GitOps prune); InstallOnce
    // proxies keep their HelmReleaseProxies until then.
    // At least 2 s after the move (the upgrade itself mostly takes longer).
    await new Promise((r) => setTimeout(r, Math.max(0, movedAt + 2000 - Date.now())));
    const kept = (await k.list(HRP_RESOURCE, ns)).filter((h) => fromReleases.some((r) => r.proxy === at(h, 'metadata', 'labels', PROXY_NAME_LABEL))).length;
    await k.delete(HCP_RESOURCE, fromReleases.map((r) => r.proxy).filter((p) => !proxyReleases(to).some((t) => t.proxy === p)), ns);
    await eventually(`the HelmReleaseProxies of ${from.clusterClassName}'s proxies gone`, async () => {
      const left = (await k.list(HRP_RESOURCE, ns)).filter((h) => fromReleases.some((r) => r.proxy === at(h, 'metadata', 'labels', PROXY_NAME_LABEL)) && !proxyReleases(to).some((r) => r.proxy === at(h, 'metadata', 'labels', PROXY_NAME_LABEL)));
      return left.length === 0 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 2000)); // late events (an uninstall after the deletion)
    const record = analyse(hrps, releases, hrpsBefore, releasesBefore, kept);
    console.error(`${ns}: ${from.clusterClassName} → ${to.clusterClassName}\n  ${[...upgrade.steps, ...record.lines].join('\n  ')}`);
    return record;
  } finally {
    await hrps.stop();
    await releases.stop();
  }
}

function workloadConfig(workload: Kube): string {
  return readFileSync(workload.kubeconfig, 'utf8');
}

/** Every proxy's HelmReleaseProxy for c1 deployed, and the stand-in chart at the pinned version on the workload cluster. */
async function waitReleasesDeployed(k: Kube, workload: Kube, ns: string, releases: readonly ProxyRelease[]): Promise<void> {
  let seen = '';
  await eventually(
    `the releases ${releases.map((r) => `${r.release}@${r.version}`).join(', ')} deployed`,
    async () => {
      const hrps = await k.list(HRP_RESOURCE, ns);
      const problems: string[] = [];
      for (const r of releases) {
        const hrp = hrps.find((h) => at(h, 'metadata', 'labels', PROXY_NAME_LABEL) === r.proxy);
        if (at(hrp, 'status', 'status') !== 'deployed') {
          problems.push(`${r.proxy}: ${hrp ? JSON.stringify(at(hrp, 'status')) : 'no HelmReleaseProxy'}`);
          continue;
        }
        const cm = await workload.get('configmaps', `${r.chart}${STAND_IN_CONFIGMAP_SUFFIX}`, 'kube-system');
        if (at(cm, 'data', 'chart') !== `${r.chart}-${r.version}`) problems.push(`${r.release}: the workload cluster runs ${String(at(cm, 'data', 'chart'))}`);
      }
      seen = problems.join('; ');
      return problems.length === 0 ? true : undefined;
    },
    () => seen,
    180_000,
  );
}

describe.skipIf(!mgmtEnabled)('CAAPH on the management cluster', () => {
  const paths = newestMinorPaths();
  // One workload cluster per path, one for the earlier design.
  const workloads = info?.workloadKubeconfigs ?? [];

  beforeAll(async () => {
    charts = await serveStandInCharts(shipped.flatMap((b) => proxyReleases(b).map((r) => ({ name: r.chart, version: r.version }))));
  });
  afterAll(async () => {
    await charts?.close();
  });

  it('has a workload cluster for each path and the earlier design', () => {
    expect(paths.length).toBeGreaterThan(1);
    expect(workloads.length, 'MGMT_WORKLOADS of scripts/mgmt-cluster.sh').toBeGreaterThanOrEqual(paths.length + 1);
  });

  describe.concurrent('paths', () => {
    it.each(paths.map((p, i) => [...p, i] as const))('%s: moving a Cluster to the next minor\'s class and label upgrades every addon in place: nothing uninstalled, nothing installed afresh', async (_, from, to, i) => {
      const workload = new Kube(info?.kubectl ?? '', workloads[i] ?? '');
      const label = (b: Bundle) => ({ [CLUSTER_CLASS_LABEL]: b.clusterClassName });
      const record = await moveAndRecord(`caaph-${from.provider}-${from.stack}-${from.minor}-${to.minor}`, workload, from, to, label);
      assertAddonsUpgradedInPlace(record, `${from.clusterClassName} → ${to.clusterClassName}`);
      // InstallOnce proxies leave their HelmReleaseProxies alone when the Cluster moves away.
      expect(record.keptAfterMove).toBe(proxyReleases(from).length);
      // Per proxy, not per object: CAAPH's HelmChartProxy controller can create a
      // second HelmReleaseProxy for the same proxy and Cluster when its cache has
      // not yet seen the first (seen with every test at once on two cores); both
      // upgrade the same release, and the record above lists each.
      const proxies = (names: readonly string[]) => [...new Set(names)].sort();
      expect(proxies(record.helmReleaseProxiesCreated)).toEqual(proxyReleases(to).map((r) => r.proxy).sort());
      expect(proxies(record.helmReleaseProxiesDeleted)).toEqual(proxyReleases(from).map((r) => r.proxy).sort());
      // A chart whose pinned version changes is upgraded (a new revision), the others may stay.
      for (const r of proxyReleases(to)) {
        const before = proxyReleases(from).find((x) => x.release === r.release);
        if (before && before.version !== r.version) expect(record.upgraded.some((u) => u.startsWith(`${r.release} r`)), `${r.release} ${before.version} → ${r.version}`).toBe(true);
      }
    });
  });

  it('the earlier design fails the check: with per-minor Continuous proxies CAAPH uninstalls the CNI when the Cluster moves to the next minor\'s label', async () => {
    const path = paths.find(([, from]) => from.provider === 'docker') ?? paths[0];
    if (!path) throw new Error('no path');
    const [, from, to] = path;
    // The proxies as the project generated them up to stack v3: named and selected per
    // stack × minor, reconcileStrategy Continuous (the previous constructs/helm-chart-proxy.ts).
    const earlier = (b: Bundle): Bundle => ({
      ...b,
      proxies: b.proxies.map((p) => {
        const copy = JSON.parse(JSON.stringify(p)) as JsonObject;
        const stackMinor = `${b.provider}-${b.stack}-${b.minor}`;
        copy.metadata = { name: String(at(p, 'metadata', 'name')).replace(b.clusterClassName, stackMinor) };
        if (isObject(copy.spec)) {
          copy.spec.clusterSelector = { matchLabels: { [`cluster-stacks.x-k8s.io/${stackMinor}`]: 'true' } };
          copy.spec.reconcileStrategy = 'Continuous';
        }
        return copy;
      }),
    });
    const label = (b: Bundle) => ({ [`cluster-stacks.x-k8s.io/${b.provider}-${b.stack}-${b.minor}`]: 'true' });
    const workload = new Kube(info?.kubectl ?? '', workloads[paths.length] ?? '');
    // The old label is removed (null in the merge patch) as the new one is set.
    const record = await moveAndRecord(`caaph-earlier-${from.provider}-${from.minor}-${to.minor}`, workload, earlier(from), earlier(to), (b) =>
      b.minor === to.minor ? { ...Object.fromEntries(Object.keys(label(from)).map((k) => [k, null])), ...label(to) } : label(b),
      false,
    );
    expect(() => assertAddonsUpgradedInPlace(record, 'earlier design')).toThrow(/release cilium was uninstalled/);
  });
});
