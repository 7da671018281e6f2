/**
 * The parts of a ClusterClass the conversion and the checks read, in both
 * API versions: which templates it references in which role, and its inline
 * patches, parsed from the YAML documents with their shape checked.
 */
import { isJsonObject, type JsonObject, type JsonValue } from './json.ts';

export interface TemplateRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export type TemplateRole =
  | 'infrastructureCluster'
  | 'controlPlane'
  | 'controlPlaneMachineInfrastructure'
  | 'machineDeploymentBootstrap'
  | 'machineDeploymentInfrastructure';

/** A template the class references, with the role a patch selector can match. */
export interface ClassReference {
  readonly ref: TemplateRef;
  readonly role: TemplateRole;
  readonly workerClass?: string;
}

export type JsonPatchOp = 'add' | 'replace' | 'remove';

export interface JsonPatchSpec {
  readonly op: JsonPatchOp;
  readonly path: string;
  readonly value?: JsonValue;
  readonly valueFrom?: { readonly variable?: string; readonly template?: string };
}

export interface PatchSelectorSpec {
  readonly apiVersion: string;
  readonly kind: string;
  readonly matchResources: {
    readonly controlPlane?: boolean;
    readonly infrastructureCluster?: boolean;
    readonly machineDeploymentClass?: { readonly names?: readonly string[] };
  };
}

export interface PatchDefinitionSpec {
  readonly selector: PatchSelectorSpec;
  readonly jsonPatches: readonly JsonPatchSpec[];
}

export interface PatchSpec {
  readonly name: string;
  readonly description?: string;
  readonly enabledIf?: string;
  readonly definitions: readonly PatchDefinitionSpec[];
}

function fail(where: string, what: string, got: unknown): never {
  throw new Error(`${where}: ${what}, got ${JSON.stringify(got)}`);
}

function str(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') fail(where, 'expected a non-empty string', value);
  return value;
}

export function parseRef(value: unknown, where: string): TemplateRef {
  if (!isJsonObject(value)) fail(where, 'expected an object reference', value);
  return { apiVersion: str(value.apiVersion, `${where}.apiVersion`), kind: str(value.kind, `${where}.kind`), name: str(value.name, `${where}.name`) };
}

function parseJsonPatch(value: unknown, where: string): JsonPatchSpec {
  if (!isJsonObject(value)) fail(where, 'expected a JSON patch', value);
  const op = value.op;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') fail(`${where}.op`, 'expected add, replace or remove', op);
  const path = str(value.path, `${where}.path`);
  const valueFrom = value.valueFrom;
  let from: JsonPatchSpec['valueFrom'];
  if (valueFrom !== undefined) {
    if (!isJsonObject(valueFrom)) fail(`${where}.valueFrom`, 'expected an object', valueFrom);
    from = {
      ...(valueFrom.variable !== undefined ? { variable: str(valueFrom.variable, `${where}.valueFrom.variable`) } : {}),
      ...(valueFrom.template !== undefined ? { template: str(valueFrom.template, `${where}.valueFrom.template`) } : {}),
    };
  }
  return { op, path, ...(value.value !== undefined ? { value: value.value } : {}), ...(from ? { valueFrom: from } : {}) };
}

function parseSelector(value: unknown, where: string): PatchSelectorSpec {
  if (!isJsonObject(value)) fail(where, 'expected a selector', value);
  const match = value.matchResources;
  if (!isJsonObject(match)) fail(`${where}.matchResources`, 'expected an object', match);
  const md = match.machineDeploymentClass;
  const names = isJsonObject(md) && Array.isArray(md.names) ? md.names.map((n, i) => str(n, `${where}.matchResources.machineDeploymentClass.names[${i}]`)) : undefined;
  for (const key of Object.keys(match)) {
    if (!['controlPlane', 'infrastructureCluster', 'machineDeploymentClass'].includes(key)) {
      throw new Error(`${where}.matchResources.${key}: not supported by the v1beta2 conversion (only controlPlane, infrastructureCluster, machineDeploymentClass)`);
    }
  }
  return {
    apiVersion: str(value.apiVersion, `${where}.apiVersion`),
    kind: str(value.kind, `${where}.kind`),
    matchResources: {
      ...(match.controlPlane === true ? { controlPlane: true } : {}),
      ...(match.infrastructureCluster === true ? { infrastructureCluster: true } : {}),
      ...(names ? { machineDeploymentClass: { names } } : {}),
    },
  };
}

/** The inline patches of a ClusterClass spec (either version: the patch shape is the same JSON). */
export function parsePatches(spec: JsonObject, where: string): PatchSpec[] {
  const patches = spec.patches ?? [];
  if (!Array.isArray(patches)) fail(`${where}.patches`, 'expected a list', patches);
  return patches.map((p, i) => {
    const at = `${where}.patches[${i}]`;
    if (!isJsonObject(p)) fail(at, 'expected a patch', p);
    if (p.external !== undefined) throw new Error(`${at} (${String(p.name)}): external patches are not converted (Cluster API: api/core/v1beta1/conversion.go:1985)`);
    const definitions = p.definitions ?? [];
    if (!Array.isArray(definitions)) fail(`${at}.definitions`, 'expected a list', definitions);
    return {
      name: str(p.name, `${at}.name`),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
      ...(p.enabledIf !== undefined ? { enabledIf: str(p.enabledIf, `${at}.enabledIf`) } : {}),
      definitions: definitions.map((d, j) => {
        const dAt = `${at}.definitions[${j}]`;
        if (!isJsonObject(d)) fail(dAt, 'expected a definition', d);
        const jsonPatches = d.jsonPatches;
        if (!Array.isArray(jsonPatches)) fail(`${dAt}.jsonPatches`, 'expected a list', jsonPatches);
        return { selector: parseSelector(d.selector, `${dAt}.selector`), jsonPatches: jsonPatches.map((jp, k) => parseJsonPatch(jp, `${dAt}.jsonPatches[${k}]`)) };
      }),
    };
  });
}

/** Renders a patch back to its YAML shape. */
export function patchToJson(patch: PatchSpec): JsonObject {
  return {
    name: patch.name,
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.enabledIf !== undefined ? { enabledIf: patch.enabledIf } : {}),
    definitions: patch.definitions.map((d) => ({
      selector: {
        apiVersion: d.selector.apiVersion,
        kind: d.selector.kind,
        matchResources: {
          ...(d.selector.matchResources.controlPlane ? { controlPlane: true } : {}),
          ...(d.selector.matchResources.infrastructureCluster ? { infrastructureCluster: true } : {}),
          ...(d.selector.matchResources.machineDeploymentClass
            ? { machineDeploymentClass: { names: [...(d.selector.matchResources.machineDeploymentClass.names ?? [])] } }
            : {}),
        },
      },
      jsonPatches: d.jsonPatches.map((p) => jsonPatchToJson(p)),
    })),
  };
}

export function jsonPatchToJson(p: JsonPatchSpec): JsonObject {
  return {
    op: p.op,
    path: p.path,
    ...(p.value !== undefined ? { value: p.value } : {}),
    ...(p.valueFrom
      ? { valueFrom: { ...(p.valueFrom.variable !== undefined ? { variable: p.valueFrom.variable } : {}), ...(p.valueFrom.template !== undefined ? { template: p.valueFrom.template } : {}) } }
      : {}),
  };
}

/**
 * Whether a selector matches a referenced template, as Cluster API's
 * topology controller decides it
 * (internal/controllers/topology/cluster/patches/inline/json_patch_generator.go:127-205):
 * apiVersion and kind exactly, then the role; worker class names may use a
 * leading or trailing `*`.
 */
export function selectorMatches(selector: PatchSelectorSpec, reference: ClassReference): boolean {
  if (selector.apiVersion !== reference.ref.apiVersion || selector.kind !== reference.ref.kind) return false;
  const match = selector.matchResources;
  switch (reference.role) {
    case 'infrastructureCluster':
      return match.infrastructureCluster === true;
    case 'controlPlane':
    case 'controlPlaneMachineInfrastructure':
      return match.controlPlane === true;
    default: {
      const cls = reference.workerClass ?? '';
      return (match.machineDeploymentClass?.names ?? []).some((n) =>
        n === '*' || n === cls || (n.startsWith('*') && cls.endsWith(n.slice(1))) || (n.endsWith('*') && cls.startsWith(n.slice(0, -1))));
    }
  }
}

/** `templateKey` of a reference or object: `<kind>/<name>`. */
export function templateKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** The templates a v1beta1 ClusterClass spec references (`*.ref`). */
export function v1beta1References(spec: JsonObject, where: string): ClassReference[] {
  const out: ClassReference[] = [];
  const infrastructure = spec.infrastructure;
  const controlPlane = spec.controlPlane;
  if (!isJsonObject(infrastructure)) fail(`${where}.infrastructure`, 'expected an object', infrastructure);
  if (!isJsonObject(controlPlane)) fail(`${where}.controlPlane`, 'expected an object', controlPlane);
  out.push({ ref: parseRef(infrastructure.ref, `${where}.infrastructure.ref`), role: 'infrastructureCluster' });
  out.push({ ref: parseRef(controlPlane.ref, `${where}.controlPlane.ref`), role: 'controlPlane' });
  const cpInfra = controlPlane.machineInfrastructure;
  if (isJsonObject(cpInfra)) out.push({ ref: parseRef(cpInfra.ref, `${where}.controlPlane.machineInfrastructure.ref`), role: 'controlPlaneMachineInfrastructure' });
  for (const [i, md] of workerClasses(spec, where).entries()) {
    const at = `${where}.workers.machineDeployments[${i}]`;
    const template = md.template;
    if (!isJsonObject(template)) fail(`${at}.template`, 'expected an object', template);
    const cls = str(md.class, `${at}.class`);
    out.push({ ref: parseRef(objectRef(template.bootstrap), `${at}.template.bootstrap.ref`), role: 'machineDeploymentBootstrap', workerClass: cls });
    out.push({ ref: parseRef(objectRef(template.infrastructure), `${at}.template.infrastructure.ref`), role: 'machineDeploymentInfrastructure', workerClass: cls });
  }
  return out;
}

/** The templates a v1beta2 ClusterClass spec references (`*.templateRef`). */
export function v1beta2References(spec: JsonObject, where: string): ClassReference[] {
  const out: ClassReference[] = [];
  const infrastructure = spec.infrastructure;
  const controlPlane = spec.controlPlane;
  if (!isJsonObject(infrastructure)) fail(`${where}.infrastructure`, 'expected an object', infrastructure);
  if (!isJsonObject(controlPlane)) fail(`${where}.controlPlane`, 'expected an object', controlPlane);
  out.push({ ref: parseRef(infrastructure.templateRef, `${where}.infrastructure.templateRef`), role: 'infrastructureCluster' });
  out.push({ ref: parseRef(controlPlane.templateRef, `${where}.controlPlane.templateRef`), role: 'controlPlane' });
  const cpInfra = controlPlane.machineInfrastructure;
  if (isJsonObject(cpInfra)) out.push({ ref: parseRef(cpInfra.templateRef, `${where}.controlPlane.machineInfrastructure.templateRef`), role: 'controlPlaneMachineInfrastructure' });
  for (const [i, md] of workerClasses(spec, where).entries()) {
    const at = `${where}.workers.machineDeployments[${i}]`;
    const cls = str(md.class, `${at}.class`);
    const bootstrap = md.bootstrap;
    const infra = md.infrastructure;
    out.push({ ref: parseRef(isJsonObject(bootstrap) ? bootstrap.templateRef : undefined, `${at}.bootstrap.templateRef`), role: 'machineDeploymentBootstrap', workerClass: cls });
    out.push({ ref: parseRef(isJsonObject(infra) ? infra.templateRef : undefined, `${at}.infrastructure.templateRef`), role: 'machineDeploymentInfrastructure', workerClass: cls });
  }
  return out;
}

function objectRef(holder: JsonValue | undefined): JsonValue | undefined {
  return isJsonObject(holder) ? holder.ref : undefined;
}

export function workerClasses(spec: JsonObject, where: string): JsonObject[] {
  const workers = spec.workers;
  if (workers === undefined) return [];
  if (!isJsonObject(workers)) fail(`${where}.workers`, 'expected an object', workers);
  const mds = workers.machineDeployments ?? [];
  if (!Array.isArray(mds)) fail(`${where}.workers.machineDeployments`, 'expected a list', mds);
  return mds.map((md, i) => {
    if (!isJsonObject(md)) fail(`${where}.workers.machineDeployments[${i}]`, 'expected an object', md);
    return md;
  });
}
