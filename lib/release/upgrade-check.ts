import { canonicalJsonOfAny } from '../bytes/json.ts';
import { inFileOrder } from '../bytes/render.ts';
import { sortYamlKeys } from '../../constructs/yaml-emitter.ts';
import { clusterClassOf, sideLabel, type AddonStage, type KubeObject, type UpgradeSide } from './upgrade-side.ts';

/**
 * The fast upgrade check: what Cluster API's Cluster webhook (v1.10.9,
 * internal/webhooks/cluster.go, internal/topology/check/compatibility.go,
 * internal/topology/variables) and the Cluster Stack Operator's ClusterAddon
 * controller (v0.2.0-alpha.1, internal/controller/clusteraddon_controller.go)
 * do when a running Cluster moves from one ClusterClass to another, decided
 * on the two bundles alone: no cluster, no Go.
 */

/** Who refuses or breaks the upgrade. */
export type UpgradeRule =
  | 'cluster-class-compatibility'
  | 'machine-deployment-class'
  | 'variable'
  | 'kubernetes-version'
  | 'operator-addon';

export interface UpgradeFinding {
  readonly rule: UpgradeRule;
  /** The object and JSON pointer (or file and field) the finding is about. */
  readonly path: string;
  readonly message: string;
}

export interface UpgradePath {
  readonly from: UpgradeSide;
  readonly to: UpgradeSide;
  /** Why this path is checked: same minor (previous version) or next minor. */
  readonly kind: 'same-minor' | 'next-minor';
}

export interface UpgradeCheck {
  readonly path: UpgradePath;
  readonly findings: readonly UpgradeFinding[];
}

/** `docker/scs/1-33 v3 → docker/scs/1-34 v3` */
export function pathLabel(path: UpgradePath): string {
  return `${sideLabel(path.from)} → ${sideLabel(path.to)}`;
}

/** One line per finding, each naming the path, the versions, the object path and the rule. */
export function formatFindings(check: UpgradeCheck): string[] {
  return check.findings.map((f) => `upgrade ${pathLabel(check.path)}: ${f.path}: ${f.message}`);
}

export function checkUpgrade(path: UpgradePath): UpgradeCheck {
  const findings: UpgradeFinding[] = [
    ...checkKubernetesVersion(path.from, path.to),
    ...checkClusterClass(path.from, path.to),
    ...checkAddons(path.from, path.to),
  ];
  return { path, findings };
}

// --- Kubernetes version (validateTopologyVersion) ---------------------------

function semver(v: string, where: string): [number, number, number] {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v);
  if (!m) throw new Error(`${where}: Kubernetes version '${v}' is not <major>.<minor>.<patch>`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function checkKubernetesVersion(from: UpgradeSide, to: UpgradeSide): UpgradeFinding[] {
  const a = semver(from.kubernetes, from.source);
  const b = semver(to.kubernetes, to.source);
  const path = 'Cluster /spec/topology/version';
  if (compareVersions(b, a) < 0) {
    return [{ rule: 'kubernetes-version', path, message: `version cannot be decreased from "${from.kubernetes}" to "${to.kubernetes}" (Cluster API's Cluster webhook)` }];
  }
  if (b[0] !== a[0] || b[1] >= a[1] + 2) {
    return [{ rule: 'kubernetes-version', path, message: `version cannot be increased from "${from.kubernetes}" to "${to.kubernetes}": one minor at a time (Cluster API's Cluster webhook)` }];
  }
  return [];
}

// --- ClusterClass compatibility (ClusterClassesAreCompatible) ---------------

interface Ref {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
}

function get(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function group(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** LocalObjectTemplatesAreCompatible, with Cluster API's messages. */
function refsCompatible(current: Ref | undefined, desired: Ref | undefined, at: string): UpgradeFinding[] {
  const out: UpgradeFinding[] = [];
  const cg = group(current?.apiVersion);
  const dg = group(desired?.apiVersion);
  if (cg !== dg) {
    out.push({ rule: 'cluster-class-compatibility', path: `${at}/ref/apiVersion`, message: `apiVersion.group cannot be changed from "${cg}" to "${dg}" to prevent incompatible changes in the Clusters (Cluster API's Cluster webhook refuses the class change)` });
  }
  if ((current?.kind ?? '') !== (desired?.kind ?? '')) {
    out.push({ rule: 'cluster-class-compatibility', path: `${at}/ref/kind`, message: `apiVersion.kind cannot be changed from "${current?.kind ?? ''}" to "${desired?.kind ?? ''}" to prevent incompatible changes in the Clusters (Cluster API's Cluster webhook refuses the class change)` });
  }
  return out;
}

interface MdClass {
  readonly class: string;
  readonly template?: { readonly bootstrap?: { readonly ref?: Ref }; readonly infrastructure?: { readonly ref?: Ref } };
}

function mdClasses(cc: KubeObject): MdClass[] {
  const list = get(cc, 'spec', 'workers', 'machineDeployments');
  return Array.isArray(list) ? (list as MdClass[]) : [];
}

function checkClusterClass(from: UpgradeSide, to: UpgradeSide): UpgradeFinding[] {
  const cur = clusterClassOf(from);
  const des = clusterClassOf(to);
  const at = `ClusterClass ${des.metadata.name} `;
  const out: UpgradeFinding[] = [];
  const ref = (cc: KubeObject, ...keys: string[]) => get(cc, 'spec', ...keys, 'ref') as Ref | undefined;
  out.push(...refsCompatible(ref(cur, 'infrastructure'), ref(des, 'infrastructure'), `${at}/spec/infrastructure`));
  out.push(...refsCompatible(ref(cur, 'controlPlane'), ref(des, 'controlPlane'), `${at}/spec/controlPlane`));
  if (get(cur, 'spec', 'controlPlane', 'machineInfrastructure') && get(des, 'spec', 'controlPlane', 'machineInfrastructure')) {
    out.push(...refsCompatible(ref(cur, 'controlPlane', 'machineInfrastructure'), ref(des, 'controlPlane', 'machineInfrastructure'), `${at}/spec/controlPlane/machineInfrastructure`));
  }
  const desired = mdClasses(des);
  for (const [i, old] of mdClasses(cur).entries()) {
    const match = desired.find((c) => c.class === old.class);
    if (!match) {
      out.push({
        rule: 'machine-deployment-class',
        path: `${at}/spec/workers/machineDeployments/${old.class}`,
        message: `MachineDeploymentClass "${old.class}" of ${sideLabel(from)} is missing: every Cluster with a MachineDeployment of that class is refused ("MachineDeploymentClass with name "${old.class}" does not exist in ClusterClass "${des.metadata.name}"")`,
      });
      continue;
    }
    out.push(...refsCompatible(old.template?.infrastructure?.ref, match.template?.infrastructure?.ref, `${at}/spec/workers/machineDeployments/${i}/template/infrastructure`).map((f) => ({ ...f, rule: 'machine-deployment-class' as const })));
  }
  out.push(...checkVariables(cur, des, at));
  return out;
}

// --- variables (ValidateClusterVariables) -----------------------------------

interface ClassVariable {
  readonly name: string;
  readonly required?: boolean;
  readonly schema?: { readonly openAPIV3Schema?: Schema };
}

type Schema = Readonly<Record<string, unknown>>;

function variables(cc: KubeObject): ClassVariable[] {
  const list = get(cc, 'spec', 'variables');
  return Array.isArray(list) ? (list as ClassVariable[]) : [];
}

function checkVariables(cur: KubeObject, des: KubeObject, at: string): UpgradeFinding[] {
  const out: UpgradeFinding[] = [];
  const desired = new Map(variables(des).map((v) => [v.name, v]));
  const current = new Map(variables(cur).map((v) => [v.name, v]));
  for (const [name, old] of current) {
    const next = desired.get(name);
    const p = `${at}/spec/variables/${name}`;
    if (!next) {
      out.push({ rule: 'variable', path: p, message: `variable "${name}" is removed: Clusters that set it are refused ("variable is not defined")` });
      continue;
    }
    const oldSchema = old.schema?.openAPIV3Schema ?? {};
    const newSchema = next.schema?.openAPIV3Schema ?? {};
    if (next.required && !old.required && newSchema.default === undefined) {
      out.push({ rule: 'variable', path: `${p}/required`, message: `variable "${name}" becomes required without a default: Clusters that do not set it are refused ("required variable "${name}" must be set")` });
    }
    out.push(...narrowing(oldSchema, newSchema, `${p}/schema/openAPIV3Schema`).map((message) => ({ rule: 'variable' as const, path: message.path, message: `variable "${name}": ${message.text}; a value a Cluster may already have can be refused` })));
  }
  for (const [name, next] of desired) {
    if (current.has(name) || !next.required) continue;
    if (next.schema?.openAPIV3Schema?.default !== undefined) continue;
    out.push({ rule: 'variable', path: `${at}/spec/variables/${name}`, message: `new variable "${name}" is required and has no default: every existing Cluster is refused ("required variable "${name}" must be set")` });
  }
  return out;
}

const NUMBER_MIN = ['minimum', 'minLength', 'minItems', 'minProperties'] as const;
const NUMBER_MAX = ['maximum', 'maxLength', 'maxItems', 'maxProperties'] as const;
/** Keywords whose appearance or change can only be compared by equality. */
const EQUAL = ['type', 'format', 'pattern', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems', 'x-kubernetes-validations', 'oneOf', 'anyOf', 'allOf', 'not'] as const;

/**
 * Where the new schema may refuse a value the old one accepted. Widening
 * (a lower minimum, more enum values, a new optional property) is fine; any
 * other change of a constraint is reported, since a value set under the old
 * class is validated against the new one on every Cluster update.
 */
function narrowing(old: Schema, next: Schema, at: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  // A synthesized side holds its objects' keys in the model's order, a
  // released one in the file's (UpgradeSide.clusterClass): values are compared
  // whatever their key order, and shown in the file's.
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(inFileOrder(v)));
  for (const k of EQUAL) {
    // Mostly absent on both sides: nothing to compare then.
    if (old[k] !== next[k] && canonicalJsonOfAny(old[k]) !== canonicalJsonOfAny(next[k])) {
      // Dropping a format, pattern or validation rule widens; anything else may narrow.
      if (next[k] === undefined && k !== 'type' && k !== 'x-kubernetes-preserve-unknown-fields' && k !== 'x-kubernetes-int-or-string') continue;
      out.push({ path: `${at}/${k}`, text: `${k} changes from ${show(old[k])} to ${show(next[k])}` });
    }
  }
  for (const k of NUMBER_MIN) {
    const a = old[k] as number | undefined;
    const b = next[k] as number | undefined;
    if (b !== undefined && (a === undefined || b > a)) out.push({ path: `${at}/${k}`, text: `${k} rises from ${show(a)} to ${show(b)}` });
  }
  for (const k of NUMBER_MAX) {
    const a = old[k] as number | undefined;
    const b = next[k] as number | undefined;
    if (b !== undefined && (a === undefined || b < a)) out.push({ path: `${at}/${k}`, text: `${k} drops from ${show(a)} to ${show(b)}` });
  }
  if (Array.isArray(next.enum)) {
    const allowed = new Set((next.enum as unknown[]).map((v) => canonicalJsonOfAny(v)));
    const lost = Array.isArray(old.enum) ? (old.enum as unknown[]).filter((v) => !allowed.has(canonicalJsonOfAny(v))) : ['(any value)'];
    if (lost.length > 0) out.push({ path: `${at}/enum`, text: `enum no longer allows ${lost.map((v) => (typeof v === 'string' && v.startsWith('(') ? v : show(v))).join(', ')}` });
  }
  const oldRequired = new Set(Array.isArray(old.required) ? (old.required as string[]) : []);
  const nextProps = (next.properties ?? {}) as Record<string, Schema>;
  for (const r of Array.isArray(next.required) ? (next.required as string[]) : []) {
    if (!oldRequired.has(r) && nextProps[r]?.default === undefined) out.push({ path: `${at}/required`, text: `property "${r}" becomes required` });
  }
  const oldProps = (old.properties ?? {}) as Record<string, Schema>;
  // In file order, whichever order the side holds them in: the findings come out in it.
  const names = Object.keys(oldProps);
  sortYamlKeys(names);
  for (const name of names) {
    const schema = oldProps[name] as Schema;
    const n = nextProps[name];
    if (!n) {
      if (next['x-kubernetes-preserve-unknown-fields'] !== true) out.push({ path: `${at}/properties/${name}`, text: `property "${name}" is removed` });
      continue;
    }
    out.push(...narrowing(schema, n, `${at}/properties/${name}`));
  }
  if (old.items && typeof old.items === 'object') {
    if (next.items && typeof next.items === 'object') out.push(...narrowing(old.items as Schema, next.items as Schema, `${at}/items`));
  }
  if (old.additionalProperties && typeof old.additionalProperties === 'object') {
    if (next.additionalProperties && typeof next.additionalProperties === 'object') out.push(...narrowing(old.additionalProperties as Schema, next.additionalProperties as Schema, `${at}/additionalProperties`));
    else out.push({ path: `${at}/additionalProperties`, text: 'additionalProperties is removed' });
  }
  return out;
}

// --- the operator's addon flow ----------------------------------------------

/** The hooks the operator v0.2.0-alpha.1 runs stages for. */
const OPERATOR_HOOKS = ['AfterControlPlaneInitialized', 'BeforeClusterUpgrade'] as const;

/**
 * Whether the operator runs its upgrade flow for the addons: the Kubernetes
 * version changes (Cluster API calls the BeforeClusterUpgrade hook), or it
 * stays and the addon version changes.
 */
export function addonFlowRuns(from: UpgradeSide, to: UpgradeSide): boolean {
  return from.kubernetes !== to.kubernetes || from.addonVersion !== to.addonVersion;
}

function applied(stages: readonly AddonStage[] | undefined): Set<string> {
  return new Set((stages ?? []).filter((s) => s.action === 'apply').map((s) => s.name));
}

function stageNames(side: UpgradeSide): Set<string> {
  return new Set(Object.values(side.addonStages).flatMap((stages) => stages.map((s) => s.name)));
}

/**
 * The ClusterAddon controller on a class change (BeforeClusterUpgrade, or
 * the same-Kubernetes-version path that runs the same stages):
 *
 * - getOldReleaseObjects renders the NEW clusteraddon.yaml's stages (of
 *   AfterControlPlaneInitialized for every Cluster the operator created:
 *   SetStageAnnotations never replaces "created") with `helm template` over
 *   the OLD release's untarred addon folder. A stage naming a folder the old
 *   archive lacks makes helm fail ("non-absolute URLs should be in form of
 *   repo_name/path_to_chart"); the reconcile retries forever and the upgrade
 *   hook never lets go.
 * - cleanUpResources deletes what that old list holds and the new list (the
 *   NEW BeforeClusterUpgrade stages over the new folder) does not: an addon
 *   applied after creation but not in BeforeClusterUpgrade is deleted on
 *   every upgrade.
 * - An addon of the old release that no new stage names is never rendered
 *   again, so it is never deleted: it stays running, unmanaged.
 * - executeStage skips a stage whose chart is not in the new archive
 *   (HelmChartFound=False) and treats any action but "apply" as a delete;
 *   hooks other than the two are never run.
 */
function checkAddons(from: UpgradeSide, to: UpgradeSide): UpgradeFinding[] {
  const out: UpgradeFinding[] = [];
  // Same Kubernetes version and addon version: the operator only records the
  // new ClusterClass and runs no stage.
  if (!addonFlowRuns(from, to)) return out;
  const file = 'clusteraddon.yaml';
  for (const [hook, stages] of Object.entries(to.addonStages)) {
    if (!(OPERATOR_HOOKS as readonly string[]).includes(hook)) {
      out.push({ rule: 'operator-addon', path: `${file} /addonStages/${hook}`, message: `the operator never runs hook "${hook}" (it runs ${OPERATOR_HOOKS.join(' and ')})` });
      continue;
    }
    for (const [i, s] of stages.entries()) {
      if (s.action !== 'apply' && s.action !== 'delete') {
        out.push({ rule: 'operator-addon', path: `${file} /addonStages/${hook}/${i}/action`, message: `stage "${s.name}" has action "${s.action}", which the operator treats as delete` });
      }
      if (!to.addonFolders.has(s.name)) {
        out.push({ rule: 'operator-addon', path: `${file} /addonStages/${hook}/${i}/name`, message: `stage "${s.name}" names no addon folder of ${sideLabel(to)}; the operator skips it silently` });
      }
      // Only AfterControlPlaneInitialized: its stages are what getOldReleaseObjects
      // renders over the old folder for a Cluster the operator created; a
      // BeforeClusterUpgrade stage without an old folder just skips the old template.
      if (hook === 'AfterControlPlaneInitialized' && !from.addonFolders.has(s.name)) {
        out.push({
          rule: 'operator-addon',
          path: `${file} /addonStages/${hook}/${i}/name`,
          message:
            `addon "${s.name}" is new in ${sideLabel(to)} and ${sideLabel(from)} has no folder for it: the operator renders the new release's stages over the old addon folder ` +
            `(getOldReleaseObjects), helm fails ("non-absolute URLs should be in form of repo_name/path_to_chart") and the upgrade hook never lets go; ` +
            `ship the chart inside a folder the old release already has, or move Clusters through a release that carries the folder without a stage`,
        });
      }
    }
  }
  const created = applied(to.addonStages.AfterControlPlaneInitialized);
  const upgraded = applied(to.addonStages.BeforeClusterUpgrade);
  for (const name of created) {
    if (!upgraded.has(name) && from.addonFolders.has(name)) {
      out.push({ rule: 'operator-addon', path: `${file} /addonStages/BeforeClusterUpgrade`, message: `addon "${name}" is applied after creation but not in BeforeClusterUpgrade: the operator's clean-up deletes its objects on every upgrade` });
    }
  }
  const named = stageNames(to);
  for (const name of applied(from.addonStages.AfterControlPlaneInitialized)) {
    if (!named.has(name)) {
      out.push({
        rule: 'operator-addon',
        path: `${file} /addonStages`,
        message: `addon "${name}" of ${sideLabel(from)} is removed: no stage of ${sideLabel(to)} names it, so the operator never deletes it and it stays running unmanaged; keep its folder and add a "delete" stage to BeforeClusterUpgrade`,
      });
    }
  }
  return out;
}
