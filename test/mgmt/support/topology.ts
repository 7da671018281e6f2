import { isDeepStrictEqual } from 'node:util';
import { at, isObject, type Json, type JsonObject } from '../../e2e/support/yaml.ts';
import { classTemplateName, type Bundle } from './bundles.ts';
import { condition, describeConditions, eventually, describeWrite, type Kube } from './kube.ts';

/** `kubectl apply --server-side -k <bundle>`: the bundle folder built by kustomize, as Flux or Argo CD build it. */
export async function applyBundleWithKustomize(kube: Kube, bundle: Bundle, namespace: string): Promise<void> {
  await kube.ok(['apply', '--server-side', '--field-manager=gitops', '-k', bundle.dir, '-n', namespace]);
}

/**
 * The ClusterClass and its templates only (cluster-class.yaml), server-side
 * applied as a GitOps controller's client sends them. The upgrade and CAAPH
 * suites apply many bundles this way; the bundles suite applies each shipped
 * bundle whole with kustomize (applyBundleWithKustomize). The bundles'
 * HelmChartProxies stay out here: they select no Cluster of these suites,
 * yet CAAPH reconciles every one of them on every change of a Cluster in its
 * namespace, which kept its workers busy for the CAAPH suite.
 */
export async function applyClassObjects(kube: Kube, bundle: Bundle, namespace: string): Promise<void> {
  await kube.applyOk(bundle.classObjects, namespace, { fieldManager: 'gitops' });
}

/** Waits until Cluster API's ClusterClass controller has reconciled the class's variables. */
export async function waitClassReconciled(kube: Kube, namespace: string, className: string): Promise<JsonObject> {
  let last: JsonObject | undefined;
  return eventually(
    `ClusterClass ${namespace}/${className} VariablesReconciled=True`,
    async () => {
      last = await kube.get('clusterclasses.cluster.x-k8s.io', className, namespace);
      const ok = last && condition(last, 'VariablesReconciled')?.status === 'True' && at(last, 'status', 'observedGeneration') === at(last, 'metadata', 'generation');
      return ok ? last : undefined;
    },
    () => describeConditions(last),
  );
}

export interface ClusterOptions {
  readonly name: string;
  readonly namespace: string;
  readonly bundle: Bundle;
  readonly variables?: Readonly<Record<string, Json>>;
  readonly labels?: Readonly<Record<string, string>>;
  /** @default the bundle's Kubernetes version */
  readonly version?: string;
  /**
   * Replicas of the workers' MachineDeployment. @default 0: no machine ever
   * boots here, so a worker Machine only keeps the Machine and KubeadmConfig
   * controllers retrying against a node that never comes, which on two cores
   * slowed every other test; the MachineDeployment, its templates and the
   * MachineSet of a rollout are created all the same.
   */
  readonly workerReplicas?: number;
}

/** A Cluster on a bundle's ClusterClass: one control plane node, one default-worker MachineDeployment `md-0`. */
export function clusterObject(o: ClusterOptions): JsonObject {
  const variables = Object.entries(o.variables ?? {}).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name: o.name, namespace: o.namespace, ...(o.labels ? { labels: { ...o.labels } } : {}) },
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.96.0.0/12'] }, serviceDomain: 'cluster.local' },
      topology: {
        class: o.bundle.clusterClassName,
        version: o.version ?? o.bundle.kubernetes,
        controlPlane: { replicas: 1 },
        workers: { machineDeployments: [{ class: 'default-worker', name: 'md-0', replicas: o.workerReplicas ?? 0 }] },
        ...(variables.length > 0 ? { variables } : {}),
      },
    },
  };
}

/** Creates a Cluster through Cluster API's defaulting and validating webhooks. */
export async function createCluster(kube: Kube, o: ClusterOptions): Promise<void> {
  const r = await kube.create(clusterObject(o), o.namespace);
  if (!r.ok) throw new Error(`creating Cluster ${o.namespace}/${o.name} on ${o.bundle.clusterClassName} was refused: ${describeWrite(r)}`);
}

/** TopologyReconciled=True for the Cluster's current generation. */
export function isTopologyReconciled(cluster: JsonObject | undefined): boolean {
  return cluster !== undefined && condition(cluster, 'TopologyReconciled')?.status === 'True' && at(cluster, 'status', 'observedGeneration') === at(cluster, 'metadata', 'generation');
}

/** Waits until the topology controller reconciled the Cluster's current spec (TopologyReconciled=True). */
export async function waitTopologyReconciled(kube: Kube, namespace: string, name: string, timeoutMs?: number): Promise<JsonObject> {
  let last: JsonObject | undefined;
  return eventually(
    `Cluster ${namespace}/${name} TopologyReconciled=True`,
    async () => {
      last = await kube.get('clusters.cluster.x-k8s.io', name, namespace);
      return isTopologyReconciled(last) ? last : undefined;
    },
    () => describeConditions(last),
    timeoutMs,
  );
}

/** `Kind.group` for kubectl from an object reference. */
export function resourceOf(ref: Json | undefined): { resource: string; name: string } {
  if (!isObject(ref) || typeof ref.kind !== 'string' || typeof ref.name !== 'string' || typeof ref.apiVersion !== 'string') throw new Error(`not an object reference: ${JSON.stringify(ref)}`);
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  return { resource: group ? `${ref.kind.toLowerCase()}.${group}` : ref.kind.toLowerCase(), name: ref.name };
}

/** What the topology controller created for a Cluster. */
export interface TopologyObjects {
  readonly cluster: JsonObject;
  readonly controlPlane: JsonObject;
  readonly controlPlaneMachineTemplate: JsonObject;
  readonly infrastructureCluster: JsonObject;
  readonly machineDeployment: JsonObject;
  readonly workerMachineTemplate: JsonObject;
  readonly workerBootstrapTemplate: JsonObject;
}

export async function topologyObjects(kube: Kube, namespace: string, name: string): Promise<TopologyObjects> {
  const cluster = await kube.mustGet('clusters.cluster.x-k8s.io', name, namespace);
  const get = async (ref: Json | undefined) => {
    const r = resourceOf(ref);
    return kube.mustGet(r.resource, r.name, namespace);
  };
  const controlPlane = await get(at(cluster, 'spec', 'controlPlaneRef'));
  const infrastructureCluster = await get(at(cluster, 'spec', 'infrastructureRef'));
  const controlPlaneMachineTemplate = await get(at(controlPlane, 'spec', 'machineTemplate', 'infrastructureRef'));
  const mds = await kube.list('machinedeployments.cluster.x-k8s.io', namespace, `cluster.x-k8s.io/cluster-name=${name},topology.cluster.x-k8s.io/deployment-name=md-0`);
  if (mds.length !== 1) throw new Error(`Cluster ${namespace}/${name}: expected one MachineDeployment md-0, found ${mds.length}`);
  const machineDeployment = mds[0] as JsonObject;
  const workerMachineTemplate = await get(at(machineDeployment, 'spec', 'template', 'spec', 'infrastructureRef'));
  const workerBootstrapTemplate = await get(at(machineDeployment, 'spec', 'template', 'spec', 'bootstrap', 'configRef'));
  return { cluster, controlPlane, controlPlaneMachineTemplate, infrastructureCluster, machineDeployment, workerMachineTemplate, workerBootstrapTemplate };
}

/** The template a topology-managed object was cloned from (Cluster API's cloned-from annotation). */
export function clonedFrom(o: JsonObject): string | undefined {
  const v = at(o, 'metadata', 'annotations', 'cluster.x-k8s.io/cloned-from-name');
  return typeof v === 'string' ? v : undefined;
}

/** Asserts that the control plane's and the workers' templates come from this bundle's ClusterClass. */
export function assertFromClass(objects: TopologyObjects, bundle: Bundle, parts: readonly ('controlPlane' | 'workers')[] = ['controlPlane', 'workers']): void {
  const problems: string[] = [];
  const expect = (what: string, o: JsonObject, template: string) => {
    if (clonedFrom(o) !== template) problems.push(`${what} was cloned from ${String(clonedFrom(o))}, expected ${template}`);
  };
  if (parts.includes('controlPlane')) expect('the control plane machine template', objects.controlPlaneMachineTemplate, classTemplateName(bundle, 'controlPlaneMachine'));
  if (parts.includes('workers')) {
    expect('the worker machine template', objects.workerMachineTemplate, classTemplateName(bundle, 'worker'));
    expect('the worker bootstrap template', objects.workerBootstrapTemplate, classTemplateName(bundle, 'workerBootstrap'));
  }
  if (problems.length > 0) throw new Error(`${bundle.clusterClassName}: ${problems.join('; ')}`);
}

/**
 * STAND-IN FOR THE PROVIDERS: no infrastructure provider and no control plane
 * controller run (no machines boot), so the status they would report is set
 * through the status subresource: the infrastructure cluster is ready (what
 * CAPD/CAPO report once the network and load balancer exist) and the
 * KubeadmControlPlane is initialized with all replicas at `version` (what
 * KCP reports once its machines run that version).
 */
export async function standInProviderStatus(kube: Kube, namespace: string, clusterName: string, controlPlaneVersion: string): Promise<void> {
  const cluster = await kube.mustGet('clusters.cluster.x-k8s.io', clusterName, namespace);
  const infra = resourceOf(at(cluster, 'spec', 'infrastructureRef'));
  await kube.patchStatus(infra.resource, infra.name, namespace, { ready: true });
  const cp = resourceOf(at(cluster, 'spec', 'controlPlaneRef'));
  await kube.patchStatus(cp.resource, cp.name, namespace, {
    initialized: true,
    ready: true,
    version: controlPlaneVersion,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 1,
    unavailableReplicas: 0,
  });
}

/** `actual` equals `expected`, except that maps may carry more keys (the API server's defaults). */
function contains(actual: Json | undefined, expected: Json): boolean {
  if (isObject(expected)) return isObject(actual) && Object.entries(expected).every(([k, v]) => contains(actual[k], v));
  return isDeepStrictEqual(actual, expected);
}

/** Reads `a.b.c` of a variable value. */
function variableValue(values: Readonly<Record<string, Json>>, path: string): Json | undefined {
  const [first, ...rest] = path.split('.');
  let v: Json | undefined = values[first ?? ''];
  for (const p of rest) v = isObject(v) ? v[p] : undefined;
  return v;
}

function pointerSegments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * For every patch of the ClusterClass that writes a variable unchanged
 * (`valueFrom.variable`) to a fixed path: the value found at that path of the
 * object the topology controller created equals the value the Cluster set.
 * Returns the number of values checked and the mismatches. Every variable is
 * set to a non-default, truthy value, so each such patch's enabledIf (a
 * presence check) holds.
 */
export function checkVariablesReachedObjects(bundle: Bundle, objects: TopologyObjects, values: Readonly<Record<string, Json>>): { checked: number; problems: string[] } {
  const cc = bundle.classObjects.find((o) => o.kind === 'ClusterClass');
  const patches = at(cc, 'spec', 'patches');
  let checked = 0;
  const problems: string[] = [];
  for (const patch of Array.isArray(patches) ? patches.filter(isObject) : []) {
    for (const def of Array.isArray(patch.definitions) ? patch.definitions.filter(isObject) : []) {
      const selector = isObject(def.selector) ? def.selector : {};
      const match = isObject(selector.matchResources) ? selector.matchResources : {};
      for (const jp of Array.isArray(def.jsonPatches) ? def.jsonPatches.filter(isObject) : []) {
        const variable = at(jp, 'valueFrom', 'variable');
        if (typeof variable !== 'string' || (jp.op !== 'add' && jp.op !== 'replace') || typeof jp.path !== 'string' || jp.path.endsWith('/-')) continue;
        const expected = variableValue(values, variable);
        if (expected === undefined) continue;
        let target: JsonObject;
        let segments = pointerSegments(jp.path);
        const unwrap = () => {
          if (segments.slice(0, 3).join('/') !== 'spec/template/spec') throw new Error(`${bundle.clusterClassName}: patch ${String(patch.name)} path ${jp.path} is not below /spec/template/spec`);
          segments = ['spec', ...segments.slice(3)];
        };
        if (match.controlPlane === true && selector.kind === 'KubeadmControlPlaneTemplate') {
          target = objects.controlPlane;
          unwrap();
        } else if (match.infrastructureCluster === true) {
          target = objects.infrastructureCluster;
          unwrap();
        } else if (match.controlPlane === true) {
          target = objects.controlPlaneMachineTemplate;
        } else if (isObject(match.machineDeploymentClass)) {
          target = selector.kind === 'KubeadmConfigTemplate' ? objects.workerBootstrapTemplate : objects.workerMachineTemplate;
        } else {
          continue;
        }
        const actual = at(target, ...segments);
        checked++;
        if (!contains(actual, expected)) {
          problems.push(`patch ${String(patch.name)}: ${String(target.kind)} ${segments.join('.')} is ${JSON.stringify(actual)}, the Cluster set ${variable} = ${JSON.stringify(expected)} (maps may carry defaults)`);
        }
      }
    }
  }
  return { checked, problems };
}
