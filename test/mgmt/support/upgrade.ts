import { at, type JsonObject } from '../../e2e/support/yaml.ts';
import type { Bundle } from './bundles.ts';
import { condition, describeConditions, describeWrite, eventually, type Kube, type WriteResult } from './kube.ts';
import { applyClassObjects, assertFromClass, clonedFrom, isTopologyReconciled, resourceOf, topologyObjects, waitClassReconciled } from './topology.ts';
import { classTemplateName } from './bundles.ts';

/** `vMAJOR.MINOR.PATCH` → [major, minor, patch]. */
export function semver(v: string): [number, number, number] {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (!m) throw new Error(`not a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The move of a Cluster to another class and version, as a user applies it. */
export function moveCluster(kube: Kube, namespace: string, name: string, to: Bundle, version = to.kubernetes, labels?: Readonly<Record<string, string | null>>): Promise<WriteResult> {
  return kube.patch('clusters.cluster.x-k8s.io', name, namespace, {
    ...(labels ? { metadata: { labels } } : {}),
    spec: { topology: { class: to.clusterClassName, version } },
  });
}

/** Throws unless the API server refused the write with a message matching `pattern` (Cluster API's webhook refused). */
export function expectRefused(r: WriteResult, pattern: RegExp, what: string): void {
  if (r.ok) throw new Error(`${what}: expected Cluster API to refuse, but it accepted: ${describeWrite(r)}`);
  if (!pattern.test(r.message)) throw new Error(`${what}: refused, but not with ${String(pattern)}: ${describeWrite(r)}`);
}

/** What happened during one upgrade, step by step, for the test's record. */
export interface UpgradeRecord {
  readonly steps: string[];
}

/**
 * Moves a Cluster (on `from`, its provider status stood in at `from`'s
 * version) to `to` and follows Cluster API through it:
 * - `to`'s ClusterClass and templates applied; the class reconciled;
 * - the Cluster's class and version changed in one patch (the Cluster
 *   webhook accepts it: one minor at most, control plane stable);
 * - when the version changes: the control plane is rebased onto `to`'s
 *   templates and gets the new version first, while the MachineDeployment
 *   keeps the old version and template (TopologyReconciled=False,
 *   MachineDeploymentsUpgradePending); then the control plane's status says
 *   it runs the new version (STAND-IN for KubeadmControlPlane's rollout) and
 *   the MachineDeployment gets the new version and `to`'s templates, and a
 *   MachineSet at the new version is created (the rollout of the workers);
 * - when it does not: both are rebased at once.
 * Ends with TopologyReconciled=True.
 */
export interface UpgradeOptions {
  /** Labels to set (null: remove) in the same patch (e.g. the class label CAAPH selects). */
  readonly labels?: Readonly<Record<string, string | null>>;
  /** Whether to apply `to` first (false: the caller applied its ClusterClass). @default true */
  readonly apply?: boolean;
}

export async function upgradeCluster(kube: Kube, namespace: string, name: string, from: Bundle, to: Bundle, options: UpgradeOptions = {}): Promise<UpgradeRecord> {
  const steps: string[] = [];
  const step = (s: string) => steps.push(`${from.clusterClassName} → ${to.clusterClassName}: ${s}`);
  const labels = options.labels;
  if (options.apply !== false) {
    await applyClassObjects(kube, to, namespace);
    await waitClassReconciled(kube, namespace, to.clusterClassName);
    step(`applied ${to.path}@${to.stackVersion}; ClusterClass ${to.clusterClassName} VariablesReconciled`);
  }

  const move = await moveCluster(kube, namespace, name, to, to.kubernetes, labels);
  if (!move.ok) throw new Error(`moving Cluster ${namespace}/${name} from ${from.clusterClassName} (${from.kubernetes}) to ${to.clusterClassName} (${to.kubernetes}) was refused: ${describeWrite(move)}`);
  step(`Cluster webhook accepted class ${to.clusterClassName}, version ${to.kubernetes}`);

  const cpTemplate = classTemplateName(to, 'controlPlaneMachine');
  let last: JsonObject | undefined;
  // Each poll reads the control plane alone (some thirty tests poll at once);
  // its machine template only once the version moved.
  const cp = resourceOf(at(await kube.mustGet('clusters.cluster.x-k8s.io', name, namespace), 'spec', 'controlPlaneRef'));
  let cpSeen: JsonObject | undefined;
  await eventually(
    `the control plane of ${namespace}/${name} rebased onto ${cpTemplate} at ${to.kubernetes}`,
    async () => {
      cpSeen = await kube.mustGet(cp.resource, cp.name, namespace);
      if (at(cpSeen, 'spec', 'version') !== to.kubernetes) return undefined;
      const template = resourceOf(at(cpSeen, 'spec', 'machineTemplate', 'infrastructureRef'));
      return clonedFrom(await kube.mustGet(template.resource, template.name, namespace)) === cpTemplate ? true : undefined;
    },
    async () => `${cp.name} at ${String(at(cpSeen, 'spec', 'version'))}; ${describeConditions(await kube.get('clusters.cluster.x-k8s.io', name, namespace))}`,
  );
  step(`control plane rebased onto ${cpTemplate} and at ${to.kubernetes}`);

  if (to.kubernetes !== from.kubernetes) {
    // The workers wait for the control plane.
    const held = await eventually(
      `TopologyReconciled=False (MachineDeploymentsUpgradePending) on ${namespace}/${name}`,
      async () => {
        const c = await kube.mustGet('clusters.cluster.x-k8s.io', name, namespace);
        last = c;
        const t = condition(c, 'TopologyReconciled');
        return t?.status === 'False' && t.reason === 'MachineDeploymentsUpgradePending' ? c : undefined;
      },
      () => describeConditions(last),
    );
    const whileHeld = await topologyObjects(kube, namespace, name);
    const mdVersion = at(whileHeld.machineDeployment, 'spec', 'template', 'spec', 'version');
    if (mdVersion !== from.kubernetes) throw new Error(`the MachineDeployment moved to ${String(mdVersion)} while the control plane was upgrading (expected it held at ${from.kubernetes})`);
    assertFromClass(whileHeld, from, ['workers']);
    step(`MachineDeployment held at ${from.kubernetes} on ${from.clusterClassName}'s templates (${String(condition(held, 'TopologyReconciled')?.message ?? '')})`);

    // STAND-IN for KubeadmControlPlane: its machines now run the new version.
    await kube.patchStatus(cp.resource, cp.name, namespace, { version: to.kubernetes, updatedReplicas: 1, readyReplicas: 1, replicas: 1, unavailableReplicas: 0 });
    step(`stand-in: KubeadmControlPlane status.version = ${to.kubernetes}`);
  }

  // TopologyReconciled=True and status.observedGeneration can still describe
  // the reconcile before the move (the Cluster controller, not the topology
  // controller, writes observedGeneration), so the end state is awaited as a
  // whole: reconciled, and the workers on `to`'s templates at its version.
  let problem = '';
  const after = await eventually(
    `${namespace}/${name} reconciled with the MachineDeployment on ${to.clusterClassName}'s templates at ${to.kubernetes}`,
    async () => {
      // The cheap reads first: the MachineDeployment's version, the Cluster's condition.
      const mds = await kube.list('machinedeployments.cluster.x-k8s.io', namespace, `cluster.x-k8s.io/cluster-name=${name},topology.cluster.x-k8s.io/deployment-name=md-0`);
      if (mds.length !== 1 || at(mds[0], 'spec', 'template', 'spec', 'version') !== to.kubernetes) {
        problem = `the MachineDeployment is at ${String(at(mds[0], 'spec', 'template', 'spec', 'version'))}`;
        return undefined;
      }
      last = await kube.mustGet('clusters.cluster.x-k8s.io', name, namespace);
      if (!isTopologyReconciled(last)) {
        problem = 'not reconciled';
        return undefined;
      }
      const o = await topologyObjects(kube, namespace, name);
      const mdVersion = at(o.machineDeployment, 'spec', 'template', 'spec', 'version');
      try {
        assertFromClass(o, to);
        if (mdVersion !== to.kubernetes) throw new Error(`the MachineDeployment is at ${String(mdVersion)} after the upgrade, expected ${to.kubernetes}`);
      } catch (e) {
        problem = e instanceof Error ? e.message : String(e);
        return undefined;
      }
      return o;
    },
    () => `${problem}; ${describeConditions(last)}`,
  );
  step(`MachineDeployment at ${to.kubernetes} on ${to.clusterClassName}'s templates; TopologyReconciled=True`);

  const mdName = String(at(after.machineDeployment, 'metadata', 'name'));
  const workerTemplate = at(after.machineDeployment, 'spec', 'template', 'spec', 'infrastructureRef', 'name');
  await eventually(
    `a MachineSet of ${mdName} at ${to.kubernetes} on ${String(workerTemplate)} (the workers' rollout)`,
    async () => {
      const sets = await kube.list('machinesets.cluster.x-k8s.io', namespace, `cluster.x-k8s.io/deployment-name=${mdName}`);
      return sets.find((s) => at(s, 'spec', 'template', 'spec', 'version') === to.kubernetes && at(s, 'spec', 'template', 'spec', 'infrastructureRef', 'name') === workerTemplate);
    },
  );
  step(`MachineDeployment rolling out: a MachineSet at ${to.kubernetes} on ${String(workerTemplate)}`);
  return { steps };
}
