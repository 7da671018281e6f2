/**
 * v1beta1 → v1beta2 conversion of the template kinds Cluster API ≥ 1.11
 * serves as v1beta2, mirroring Cluster API v1.13.5's own conversion code
 * (paths below are relative to the sigs.k8s.io/cluster-api module; the CAPD
 * ones to its `test` module at the same tag).
 *
 * Only what the stacks' templates can contain is converted. Fields whose
 * conversion is not implemented here throw, naming the CAPI function to port,
 * rather than being copied into a shape the v1beta2 schema might still accept
 * with another meaning. Fields that are simply gone in v1beta2 are left in
 * place, so validation against the v1beta2 CRD reports them as unknown.
 */
import { ARRAY_INDEX, parsePointer, pointer } from '../../constructs/json-pointer.ts';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from './json.ts';
import { setOwn } from '../bytes/json.ts';

/** One `{name, value}` entry of a v1beta2 extraArgs / kubeletExtraArgs list. */
export interface Arg {
  readonly name: string;
  readonly value: string;
}

/** A field that moved: v1beta1 pointer → v1beta2 pointer, for the value and everything below it. */
export interface MovedField {
  readonly from: string;
  readonly to: string;
  /** Where Cluster API does the same. */
  readonly source: string;
}

/** A field Cluster API converts in a way not implemented here. */
export interface UnsupportedField {
  readonly path: string;
  /** The CAPI conversion function that would have to be ported. */
  readonly source: string;
}

/** How one template kind converts. */
export interface TemplateKindConversion {
  readonly kind: string;
  readonly fromApiVersion: string;
  readonly toApiVersion: string;
  /** Where Cluster API converts the kind. */
  readonly source: string;
  /** v1beta1 pointers of `map[string]string` fields that v1beta2 stores as `[]Arg`. */
  readonly argLists: readonly string[];
  readonly moved: readonly MovedField[];
  readonly unsupported: readonly UnsupportedField[];
  /**
   * Pointers (`*` = every list item) of v1beta1 `bool` fields that are
   * `*bool` in v1beta2: Cluster API converts false to unset
   * (Convert_bool_To_Pointer_bool, api/core/v1beta2/conversion.go:60-74), true stays.
   */
  readonly falseToUnset: readonly string[];
  /**
   * Pointers below which empty lists and objects are dropped, as Cluster API's
   * v1beta2 Go types (omitempty / omitzero) drop them when CAPI converts, and
   * as the v1beta2 schema requires (minItems / minProperties 1).
   */
  readonly pruneBelow?: string;
}

const BOOTSTRAP_CONVERSION = 'api/bootstrap/kubeadm/v1beta1/conversion.go';

/** KubeadmConfigSpec-relative pointers, shared by the control plane and the worker bootstrap template. */
function kubeadmConfigSpecArgLists(base: string): string[] {
  return [
    // Convert_v1beta1_APIServer_To_v1beta2_APIServer (bootstrap conversion.go:460-477)
    `${base}/clusterConfiguration/apiServer/extraArgs`,
    // Convert_v1beta1_ControlPlaneComponent_To_v1beta2_ControllerManager / _Scheduler (:479-507)
    `${base}/clusterConfiguration/controllerManager/extraArgs`,
    `${base}/clusterConfiguration/scheduler/extraArgs`,
    // Convert_v1beta1_LocalEtcd_To_v1beta2_LocalEtcd (:545-560)
    `${base}/clusterConfiguration/etcd/local/extraArgs`,
    // Convert_v1beta1_NodeRegistrationOptions_To_v1beta2_NodeRegistrationOptions (:562-570)
    `${base}/initConfiguration/nodeRegistration/kubeletExtraArgs`,
    `${base}/joinConfiguration/nodeRegistration/kubeletExtraArgs`,
  ];
}

/** RestoreBoolIntentKubeadmConfigSpec (bootstrap conversion.go:80-193) for the fields a template can hold. */
function kubeadmConfigSpecFalseToUnset(base: string): string[] {
  return [
    `${base}/clusterConfiguration/apiServer/extraVolumes/*/readOnly`,
    `${base}/clusterConfiguration/controllerManager/extraVolumes/*/readOnly`,
    `${base}/clusterConfiguration/scheduler/extraVolumes/*/readOnly`,
    `${base}/files/*/append`,
    `${base}/ignition/containerLinuxConfig/strict`,
  ];
}

function kubeadmConfigSpecUnsupported(base: string): UnsupportedField[] {
  return [
    // KubeadmConfigSpec.ConvertTo moves these timeouts to init/joinConfiguration.timeouts (bootstrap conversion.go:196-209).
    { path: `${base}/clusterConfiguration/apiServer/timeoutForControlPlane`, source: `${BOOTSTRAP_CONVERSION}:196 (KubeadmConfigSpec.ConvertTo)` },
    { path: `${base}/joinConfiguration/discovery`, source: `${BOOTSTRAP_CONVERSION}:523 (Convert_v1beta1_Discovery_To_v1beta2_Discovery)` },
    { path: `${base}/initConfiguration/bootstrapTokens`, source: `${BOOTSTRAP_CONVERSION}:603 (Convert_v1beta1_BootstrapToken_To_v1beta2_BootstrapToken)` },
    // Removed from v1beta2's ClusterConfiguration; CAPI takes them from the Cluster.
    { path: `${base}/clusterConfiguration/networking`, source: `${BOOTSTRAP_CONVERSION}:541 (Convert_v1beta1_ClusterConfiguration_To_v1beta2_ClusterConfiguration)` },
    { path: `${base}/clusterConfiguration/kubernetesVersion`, source: `${BOOTSTRAP_CONVERSION}:541 (Convert_v1beta1_ClusterConfiguration_To_v1beta2_ClusterConfiguration)` },
    { path: `${base}/clusterConfiguration/clusterName`, source: `${BOOTSTRAP_CONVERSION}:541 (Convert_v1beta1_ClusterConfiguration_To_v1beta2_ClusterConfiguration)` },
    { path: `${base}/useExperimentalRetryJoin`, source: `${BOOTSTRAP_CONVERSION}:784 (Convert_v1beta1_KubeadmConfigSpec_To_v1beta2_KubeadmConfigSpec drops it)` },
  ];
}

const KCP_SPEC = '/spec/template/spec';
const KCS = `${KCP_SPEC}/kubeadmConfigSpec`;
const KCP_CONVERSION = 'api/controlplane/kubeadm/v1beta1/conversion.go';
const KCT_SPEC = '/spec/template/spec';
const CAPD_CONVERSION = 'test/infrastructure/docker/api/v1beta1/conversion.go (module sigs.k8s.io/cluster-api/test v1.13.5)';

/** Every template kind that has a v1beta2 version; any other kind (CAPO, ORC) is kept as it is. */
export const TEMPLATE_CONVERSIONS: readonly TemplateKindConversion[] = [
  {
    kind: 'KubeadmControlPlaneTemplate',
    fromApiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
    toApiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
    source: `${KCP_CONVERSION}:116 (KubeadmControlPlaneTemplate.ConvertTo)`,
    argLists: kubeadmConfigSpecArgLists(KCS),
    moved: [
      { from: `${KCP_SPEC}/rolloutBefore`, to: `${KCP_SPEC}/rollout/before`, source: `${KCP_CONVERSION}:285-286` },
      { from: `${KCP_SPEC}/rolloutAfter`, to: `${KCP_SPEC}/rollout/after`, source: `${KCP_CONVERSION}:288-289` },
      { from: `${KCP_SPEC}/machineNamingStrategy`, to: `${KCP_SPEC}/machineNaming`, source: `${KCP_CONVERSION}:305-306` },
    ],
    unsupported: [
      { path: `${KCP_SPEC}/rolloutStrategy`, source: `${KCP_CONVERSION}:291-303 (type defaulting)` },
      { path: `${KCP_SPEC}/remediationStrategy`, source: `${KCP_CONVERSION}:496 (Convert_v1beta1_RemediationStrategy_To_v1beta2_KubeadmControlPlaneRemediationSpec)` },
      { path: `${KCP_SPEC}/machineTemplate`, source: `${KCP_CONVERSION}:460 (Convert_v1beta1_KubeadmControlPlaneTemplateMachineTemplate_To_v1beta2_KubeadmControlPlaneTemplateMachineTemplate)` },
      ...kubeadmConfigSpecUnsupported(KCS),
    ],
    falseToUnset: kubeadmConfigSpecFalseToUnset(KCS),
    pruneBelow: KCS,
  },
  {
    kind: 'KubeadmConfigTemplate',
    fromApiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1',
    toApiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
    source: `${BOOTSTRAP_CONVERSION}:249 (KubeadmConfigTemplate.ConvertTo)`,
    argLists: kubeadmConfigSpecArgLists(KCT_SPEC),
    moved: [],
    unsupported: kubeadmConfigSpecUnsupported(KCT_SPEC),
    falseToUnset: kubeadmConfigSpecFalseToUnset(KCT_SPEC),
    pruneBelow: KCT_SPEC,
  },
  {
    kind: 'DockerClusterTemplate',
    fromApiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    toApiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    source: `${CAPD_CONVERSION}:70-74 (DockerClusterTemplate.ConvertTo)`,
    argLists: [],
    moved: [],
    unsupported: [{ path: '/spec/template/spec/failureDomains', source: `${CAPD_CONVERSION}:576-596 (map → list)` }],
    falseToUnset: [],
  },
  {
    kind: 'DockerMachineTemplate',
    fromApiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    toApiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    source: `${CAPD_CONVERSION}:123-142 (DockerMachineTemplate.ConvertTo; same JSON for spec)`,
    argLists: [],
    moved: [],
    unsupported: [],
    falseToUnset: [],
  },
];

/** The conversion of an apiVersion/kind, or undefined for kinds that stay as they are. */
export function conversionFor(apiVersion: string, kind: string): TemplateKindConversion | undefined {
  return TEMPLATE_CONVERSIONS.find((c) => c.fromApiVersion === apiVersion && c.kind === kind);
}

/** The apiVersion an object of apiVersion/kind has in the v1beta2 output. */
export function v1beta2ApiVersion(apiVersion: string, kind: string): string {
  return conversionFor(apiVersion, kind)?.toApiVersion ?? apiVersion;
}

/**
 * `map[string]string` → `[]Arg`, sorted by name as Cluster API's
 * ConvertToArgs does (api/bootstrap/kubeadm/v1beta2/conversion.go:35-50), so
 * the output does not depend on the order keys were added in.
 */
export function argsFromMap(map: Readonly<Record<string, string>>): Arg[] {
  return Object.keys(map)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, value: map[name] }));
}

/**
 * `[]Arg` → `map[string]string`, Cluster API's ConvertFromArgs
 * (api/bootstrap/kubeadm/v1beta2/conversion.go:52-64): a later duplicate wins.
 */
export function argsToMap(args: readonly Arg[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) setOwn(out, a.name, a.value);
  return out;
}

/** Reads the value at a pointer, or undefined. */
export function valueAt(document: JsonValue, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = document;
  for (const segment of parsePointer(path)) {
    if (Array.isArray(current)) {
      current = ARRAY_INDEX.test(segment) ? current[Number(segment)] : undefined;
    } else if (isJsonObject(current) && Object.prototype.hasOwnProperty.call(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** Sets the value at an object-only pointer, creating missing objects on the way. */
export function setAt(document: JsonObject, path: string, value: JsonValue, where: string): void {
  const segments = parsePointer(path);
  let current: JsonObject = document;
  for (const [i, segment] of segments.slice(0, -1).entries()) {
    const next = current[segment];
    if (next === undefined) {
      const created: JsonObject = {};
      current[segment] = created;
      current = created;
    } else if (isJsonObject(next)) {
      current = next;
    } else {
      throw new Error(`${where}: cannot set ${path}: ${pointer(...segments.slice(0, i + 1))} is not an object`);
    }
  }
  current[segments[segments.length - 1]] = value;
}

/** Deletes the value at a pointer; returns it, or undefined when it was absent. */
export function deleteAt(document: JsonObject, path: string): JsonValue | undefined {
  const segments = parsePointer(path);
  const parent = valueAt(document, pointer(...segments.slice(0, -1)));
  const last = segments[segments.length - 1];
  if (!isJsonObject(parent) || !Object.prototype.hasOwnProperty.call(parent, last)) return undefined;
  const value = parent[last];
  delete parent[last];
  return value;
}

/** `path` equals `other` or lies below it. */
export function isAtOrBelow(path: string, other: string): boolean {
  return path === other || path.startsWith(`${other}/`);
}

/** Converts one string map into an Arg list, refusing anything that is not a map of strings. */
export function convertArgMap(value: JsonValue, where: string): Arg[] {
  if (!isJsonObject(value)) throw new Error(`${where}: expected a map of strings (v1beta1), got ${JSON.stringify(value)}`);
  const map: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`${where}/${k}: extra args are strings, got ${JSON.stringify(v)}`);
    setOwn(map, k, v);
  }
  return argsFromMap(map);
}

/**
 * Applies a kind's shape changes to a whole object or to the value a patch
 * puts at `at` (a v1beta1 pointer; '' for a whole object). Returns the
 * converted value; the input is not modified.
 */
export function convertShapes(conversion: TemplateKindConversion, value: JsonValue, at: string, where: string): JsonValue {
  // Embed the value at its place in an otherwise empty object, so every rule
  // is written once against whole-object pointers.
  const holder: JsonObject = {};
  const root = at === '' ? cloneJson(value) : (setAt(holder, at, cloneJson(value), where), holder);
  if (!isJsonObject(root)) throw new Error(`${where}: a ${conversion.kind} must be an object`);
  for (const u of conversion.unsupported) {
    if (valueAt(root, u.path) !== undefined) {
      throw new Error(`${where}: ${u.path} is set, and its v1beta2 conversion is not implemented here (Cluster API converts it in ${u.source})`);
    }
  }
  for (const list of conversion.argLists) {
    const map = valueAt(root, list);
    if (map === undefined) continue;
    const args = convertArgMap(map, `${where} ${list}`);
    setAt(root, list, args.map((a) => ({ name: a.name, value: a.value })), where);
  }
  for (const m of conversion.moved) {
    const moved = deleteAt(root, m.from);
    if (moved !== undefined) setAt(root, m.to, moved, where);
  }
  for (const path of conversion.falseToUnset) dropFalse(root, parsePointer(path));
  if (at === '') return root;
  // A pointer into a moved field follows it.
  const target = movedPath(conversion, at);
  const converted = valueAt(root, target);
  if (converted === undefined) throw new Error(`${where}: ${at} has no v1beta2 counterpart`);
  return converted;
}

/** Deletes `false` at a pointer whose `*` segments stand for every item of a list. */
function dropFalse(node: JsonValue, segments: readonly string[]): void {
  if (segments.length === 0) return;
  const [head, ...rest] = segments;
  if (head === '*') {
    if (Array.isArray(node)) for (const item of node) dropFalse(item, rest);
    return;
  }
  if (!isJsonObject(node) || !Object.prototype.hasOwnProperty.call(node, head)) return;
  if (rest.length === 0) {
    if (node[head] === false) delete node[head];
    return;
  }
  dropFalse(node[head], rest);
}

/** The v1beta2 pointer of a v1beta1 pointer: moved fields follow their new place. */
export function movedPath(conversion: TemplateKindConversion, path: string): string {
  for (const m of conversion.moved) {
    if (isAtOrBelow(path, m.from)) return m.to + path.slice(m.from.length);
  }
  return path;
}

/**
 * Drops empty lists and objects below `pruneBelow`, as marshalling Cluster
 * API's v1beta2 Go types does (every list there is `omitempty`, every struct
 * `omitzero`, e.g. api/bootstrap/kubeadm/v1beta2/kubeadmconfig_types.go:73,106,117),
 * except `taints`, a pointer to a list whose empty value means "no taints"
 * (bootstrap conversion.go:562-570 keeps it).
 */
function prune(value: JsonValue): JsonValue | undefined {
  if (Array.isArray(value)) {
    // Items keep their place: an item that prunes away entirely stays as it was.
    const items = value.map((v) => prune(v) ?? v);
    return items.length === 0 ? undefined : items;
  }
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'taints' && Array.isArray(v)) {
        out[k] = v;
        continue;
      }
      const pruned = prune(v);
      if (pruned !== undefined) out[k] = pruned;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** Converts a whole template object of a kind that has a v1beta2 version. */
export function convertTemplate(conversion: TemplateKindConversion, object: JsonObject): JsonObject {
  const metadata = object.metadata;
  const name = isJsonObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '<unnamed>';
  const where = `${conversion.kind} ${name}`;
  const converted = convertShapes(conversion, object, '', where);
  if (!isJsonObject(converted)) throw new Error(`${where}: not an object`);
  converted.apiVersion = conversion.toApiVersion;
  if (conversion.pruneBelow !== undefined) {
    const below = valueAt(converted, conversion.pruneBelow);
    if (below !== undefined) {
      const pruned = prune(below);
      if (pruned === undefined) deleteAt(converted, conversion.pruneBelow);
      else setAt(converted, conversion.pruneBelow, pruned, where);
    }
  }
  return converted;
}
