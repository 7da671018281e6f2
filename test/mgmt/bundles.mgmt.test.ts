/**
 * Every shipped bundle on the real management cluster: applied as a GitOps
 * tool applies it (`kubectl apply --server-side -k dist/<bundle>`), with the
 * provider CRDs of crds/ installed, then a Cluster with typical values on
 * its ClusterClass.
 * Cluster API's own controllers and webhooks decide: the ClusterClass
 * controller reconciles the variables, the Cluster webhooks default and
 * validate, the topology controller creates the control plane, the
 * infrastructure cluster, the MachineDeployment and their templates from the
 * patches.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nonDefaultValues } from '../e2e/support/clusters.ts';
import { at, type Json } from '../e2e/support/yaml.ts';
import { shippedBundles, type Bundle } from './support/bundles.ts';
import { mgmt, mgmtEnabled } from './support/context.ts';
import { Kube } from './support/kube.ts';
import {
  applyBundleWithKustomize,
  assertFromClass,
  checkVariablesReachedObjects,
  createCluster,
  topologyObjects,
  waitClassReconciled,
  waitTopologyReconciled,
} from './support/topology.ts';
import { readDistClusterClass } from '../e2e/support/clusters.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bundles: Bundle[] = shippedBundles(root);
const kube = mgmtEnabled ? new Kube(mgmt().kubectl, mgmt().kubeconfig) : undefined;

function typicalValues(b: Bundle): Record<string, Json> {
  const { values, problems } = nonDefaultValues(readDistClusterClass(b.dir).variables);
  if (problems.length > 0) throw new Error(`${b.path}: ${problems.join('; ')}`);
  return values;
}

describe.skipIf(!mgmtEnabled)('shipped bundles on a management cluster', () => {
  it('finds the bundles in dist/', () => {
    expect(bundles.map((b) => b.path)).toEqual(expect.arrayContaining(['docker/scs/1-34', 'openstack/scs/1-34']));
  });

  describe.concurrent('each bundle', () => {
    it.each(bundles.map((b) => [b.path, b] as const))('%s: applies with kubectl apply -k; the ClusterClass reconciles its variables; a Cluster with typical values reaches TopologyReconciled with the values in the created objects', async (_, bundle) => {
      const ns = `bundle-${bundle.provider}-${bundle.stack}-${bundle.minor}`;
      const k = kube as Kube;
      await k.createNamespace(ns);
      await applyBundleWithKustomize(k, bundle, ns);
      const cc = await waitClassReconciled(k, ns, bundle.clusterClassName);
      expect(at(cc, 'status', 'variables')).toBeDefined();

      // Typical values and a worker (its Machine waits for a node forever). A
      // Cluster with the defaults reaches TopologyReconciled on every shipped
      // bundle in the upgrade suite (the end of each bundle's history or
      // minor path), so it is not created here again.
      const values = typicalValues(bundle);
      await createCluster(k, { name: 'typical', namespace: ns, bundle, variables: values, workerReplicas: 1 });
      await waitTopologyReconciled(k, ns, 'typical');
      const objects = await topologyObjects(k, ns, 'typical');
      assertFromClass(objects, bundle);
      expect(at(objects.controlPlane, 'spec', 'version'), 'KubeadmControlPlane version').toBe(bundle.kubernetes);
      expect(at(objects.machineDeployment, 'spec', 'template', 'spec', 'version'), 'MachineDeployment version').toBe(bundle.kubernetes);
      expect(at(objects.controlPlane, 'spec', 'replicas')).toBe(1);
      expect(at(objects.machineDeployment, 'spec', 'replicas')).toBe(1);
      const { checked, problems } = checkVariablesReachedObjects(bundle, objects, values);
      expect(problems).toEqual([]);
      expect(checked, 'patches that write a variable unchanged to a fixed path').toBeGreaterThan(2);
    });
  });
});
