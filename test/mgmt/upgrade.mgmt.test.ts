/**
 * The upgrade paths of the shipped bundles with Cluster API's own code: the
 * Cluster webhook's update checks (class rebase compatibility, one minor at a
 * time, no version change while the control plane provisions or upgrades)
 * and the topology controller's rollout order (control plane first, workers
 * held, then rolled).
 *
 * Paths: per provider and stack, the bundle of minor N-1 to the bundle of
 * minor N (dist/), and per bundle its own history (every earlier stack
 * version in git, oldest first, up to the one in dist/) on one Cluster.
 * Each Cluster here has the default values (the bundles suite sets them all).
 * The ClusterClasses and templates are applied without the bundles'
 * HelmChartProxies (support/topology.ts applyClassObjects).
 *
 * STAND-IN: no infrastructure provider and no control plane controller act
 * (no machines boot); the status they would report is set through the status
 * subresource by standInProviderStatus() and upgradeCluster(), named there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { at, isObject, type JsonObject } from '../e2e/support/yaml.ts';
import { historicBundles, shippedBundles, type Bundle } from './support/bundles.ts';
import { mgmt, mgmtEnabled } from './support/context.ts';
import { Kube } from './support/kube.ts';
import { applyClassObjects, createCluster, standInProviderStatus, waitClassReconciled, waitTopologyReconciled } from './support/topology.ts';
import { expectRefused, moveCluster, semver, upgradeCluster } from './support/upgrade.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shipped = shippedBundles(root);
const kube = mgmtEnabled ? new Kube(mgmt().kubectl, mgmt().kubeconfig) : undefined;
const scratch = mkdtempSync(join(tmpdir(), 'cluster-stacks-mgmt-history-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Minor N-1 → N for each provider/stack, from dist/. */
function minorPaths(): [string, Bundle, Bundle][] {
  const out: [string, Bundle, Bundle][] = [];
  const byStack = new Map<string, Bundle[]>();
  for (const b of shipped) byStack.set(`${b.provider}/${b.stack}`, [...(byStack.get(`${b.provider}/${b.stack}`) ?? []), b]);
  for (const list of byStack.values()) {
    const sorted = [...list].sort((a, b) => semver(a.kubernetes)[1] - semver(b.kubernetes)[1]);
    for (let i = 1; i < sorted.length; i++) {
      const from = sorted[i - 1] as Bundle;
      const to = sorted[i] as Bundle;
      if (semver(to.kubernetes)[1] === semver(from.kubernetes)[1] + 1) out.push([`${from.path} → ${to.path}`, from, to]);
    }
  }
  return out;
}

/** The stack versions of one bundle, oldest first, ending with dist/ (read from git once per bundle). */
const histories = new Map<Bundle, Bundle[]>();
function history(b: Bundle): Bundle[] {
  let h = histories.get(b);
  if (!h) {
    h = [...historicBundles(root, b, scratch), b];
    histories.set(b, h);
  }
  return h;
}

describe.skipIf(!mgmtEnabled)('upgrade paths with Cluster API v1.10.9', () => {
  it('has a minor path per provider and stack', () => {
    const paths = minorPaths().map(([name]) => name);
    expect(paths).toEqual(expect.arrayContaining(['docker/scs/1-33 → docker/scs/1-34', 'openstack/scs/1-33 → openstack/scs/1-34']));
  });

  it('every shipped bundle runs a Cluster with the default values here, at the start or end of a path (the bundles suite creates one with typical values)', () => {
    const reached = new Set([...minorPaths().flatMap(([, from, to]) => [from.path, to.path]), ...shipped.filter((b) => history(b).length > 1).map((b) => b.path)]);
    expect(shipped.map((b) => b.path).filter((p) => !reached.has(p))).toEqual([]);
  });

  describe.concurrent('paths', () => {
    it.each(minorPaths())('%s: refused while the control plane provisions and for two minors at once; accepted once initialized; control plane first, workers held, then rolled', async (_, from, to) => {
      const ns = `minor-${from.provider}-${from.stack}-${from.minor}-${to.minor}`;
      const k = kube as Kube;
      await k.createNamespace(ns);
      await applyClassObjects(k, from, ns);
      await waitClassReconciled(k, ns, from.clusterClassName);
      await applyClassObjects(k, to, ns);
      await waitClassReconciled(k, ns, to.clusterClassName);
      await createCluster(k, { name: 'c1', namespace: ns, bundle: from });
      await waitTopologyReconciled(k, ns, 'c1');

      expectRefused(await moveCluster(k, ns, 'c1', to), /control plane is currently provisioning/, `${from.clusterClassName} → ${to.clusterClassName} before the control plane is up`);

      await standInProviderStatus(k, ns, 'c1', from.kubernetes);
      const [major, minor] = semver(from.kubernetes);
      expectRefused(await moveCluster(k, ns, 'c1', to, `v${major}.${minor + 2}.0`), /version cannot be increased from/, `${from.kubernetes} → two minors up`);

      const record = await upgradeCluster(k, ns, 'c1', from, to);
      console.error(record.steps.join('\n'));
      expect(record.steps.some((s) => s.includes('MachineDeployment held'))).toBe(true);

      const cluster = await k.mustGet('clusters.cluster.x-k8s.io', 'c1', ns);
      expect(at(cluster, 'spec', 'topology', 'version')).toBe(to.kubernetes);
    });
  });

  describe.concurrent('histories', () => {
    // A stack at its first release (hetzner/scs) has no earlier version to move from yet.
    const withHistory = shipped.filter((b) => history(b).length > 1);
    it('every stack released before has its earlier versions in git', () => {
      expect(withHistory.map((b) => b.path)).toEqual(shipped.filter((b) => b.provider !== 'hetzner').map((b) => b.path));
    });

    it.each(withHistory.map((b) => [b.path, b] as const))('%s: moves one Cluster through every stack version the project shipped, oldest first, to dist/', async (_, current) => {
      const ns = `history-${current.provider}-${current.stack}-${current.minor}`;
      const k = kube as Kube;
      const all = history(current);
      expect(all.length, `${current.path}: earlier versions in git`).toBeGreaterThan(1);
      await k.createNamespace(ns);
      // A version whose ClusterClass Cluster API refuses never had a Cluster: the path skips it.
      const versions: Bundle[] = [];
      const refused: string[] = [];
      for (const b of all) {
        const r = await k.apply(b.classObjects.filter((o) => o.kind === 'ClusterClass'), ns, { dryRun: true });
        if (r.ok) versions.push(b);
        else refused.push(`${b.clusterClassName} (${b.revision.slice(0, 8)}): ${r.message}`);
      }
      if (refused.length > 0) console.error(`${current.path}: Cluster API v1.10.9 refuses these earlier ClusterClasses, no Cluster ran on them:\n  ${refused.join('\n  ')}`);
      expect(versions.at(-1), `${current.path}: the current ClusterClass is accepted`).toBe(current);
      expect(versions.length, `${current.path}: an earlier version Cluster API accepts`).toBeGreaterThan(1);
      const first = versions[0] as Bundle;
      await applyClassObjects(k, first, ns);
      await waitClassReconciled(k, ns, first.clusterClassName);
      await createCluster(k, { name: 'c1', namespace: ns, bundle: first });
      await waitTopologyReconciled(k, ns, 'c1');
      await standInProviderStatus(k, ns, 'c1', first.kubernetes);
      const steps: string[] = [];
      for (let i = 1; i < versions.length; i++) {
        const record = await upgradeCluster(k, ns, 'c1', versions[i - 1] as Bundle, versions[i] as Bundle);
        steps.push(...record.steps);
      }
      console.error(steps.join('\n'));
      expect(steps.at(-1)).toContain(current.clusterClassName);
    });
  });
});

/** A copy of a bundle's class objects with the ClusterClass renamed and changed by `edit`. */
function brokenClass(b: Bundle, suffix: string, edit: (cc: JsonObject) => void): Bundle {
  const classObjects = b.classObjects.map((o) => JSON.parse(JSON.stringify(o)) as JsonObject);
  const cc = classObjects.find((o) => o.kind === 'ClusterClass');
  if (!cc || !isObject(cc.metadata)) throw new Error(`${b.path}: no ClusterClass`);
  const name = `${b.clusterClassName}-${suffix}`;
  cc.metadata = { ...cc.metadata, name };
  edit(cc);
  return { ...b, clusterClassName: name, classObjects };
}

describe.skipIf(!mgmtEnabled)('broken upgrades Cluster API refuses (the checks above must fail on them)', () => {
  const to = shipped.find((b) => b.path === 'docker/scs/1-34') as Bundle;
  const from = shipped.find((b) => b.path === 'docker/scs/1-33') as Bundle;
  const ns = 'broken-upgrades';

  it('a Cluster setting a variable the class does not define is refused', async () => {
    const k = kube as Kube;
    await k.createNamespace(`${ns}-variables`);
    await applyClassObjects(k, to, `${ns}-variables`);
    await waitClassReconciled(k, `${ns}-variables`, to.clusterClassName);
    await expect(createCluster(k, { name: 'c1', namespace: `${ns}-variables`, bundle: to, variables: { notAVariableOfThisClass: true } })).rejects.toThrow(/notAVariableOfThisClass/);
  });

  it('a next class that renames the machine deployment class or swaps the infrastructure kind: the upgrade check fails with Cluster API\'s refusal', async () => {
    const k = kube as Kube;
    await k.createNamespace(ns);
    await applyClassObjects(k, from, ns);
    await waitClassReconciled(k, ns, from.clusterClassName);
    await createCluster(k, { name: 'c1', namespace: ns, bundle: from });
    await waitTopologyReconciled(k, ns, 'c1');
    await standInProviderStatus(k, ns, 'c1', from.kubernetes);

    const renamedWorkers = brokenClass(to, 'renamed-workers', (cc) => {
      const mds = at(cc, 'spec', 'workers', 'machineDeployments');
      if (Array.isArray(mds) && isObject(mds[0])) mds[0].class = 'workers';
      // The patches name the class they apply to.
      for (const p of (at(cc, 'spec', 'patches') as JsonObject[] | undefined) ?? []) {
        for (const d of (p.definitions as JsonObject[] | undefined) ?? []) {
          const names = at(d, 'selector', 'matchResources', 'machineDeploymentClass', 'names');
          if (Array.isArray(names)) names.splice(0, names.length, 'workers');
        }
      }
    });
    // An infrastructure cluster template of another kind that exists (the openstack bundle's).
    const openstack = shipped.find((b) => b.provider === 'openstack' && b.minor === to.minor) as Bundle;
    const otherInfra = openstack.classObjects.find((o) => o.kind === 'OpenStackClusterTemplate') as JsonObject;
    await k.applyOk([otherInfra], ns);
    const swappedInfra = brokenClass(to, 'swapped-infra', (cc) => {
      const ref = at(cc, 'spec', 'infrastructure', 'ref');
      if (isObject(ref)) {
        ref.kind = 'OpenStackClusterTemplate';
        ref.name = at(otherInfra, 'metadata', 'name') as string;
      }
    });
    for (const [broken, reason] of [
      [renamedWorkers, /default-worker/],
      [swappedInfra, /OpenStackClusterTemplate/],
    ] as const) {
      await applyClassObjects(k, broken, ns);
      await waitClassReconciled(k, ns, broken.clusterClassName);
      const refused = upgradeCluster(k, ns, 'c1', from, broken, { apply: false });
      await expect(refused, broken.clusterClassName).rejects.toThrow(/was refused/);
      await expect(refused, broken.clusterClassName).rejects.toThrow(reason);
    }
    // The same Cluster still upgrades to the real next class.
    await upgradeCluster(k, ns, 'c1', from, to);
  });
});
