/**
 * The parts of a ClusterClass the conversion and the checks read, in both
 * API versions: which templates it references in which role (from the
 * class object, its shape checked), and its inline patches, taken from the
 * bundle model with their typed conditions and values.
 */
import { renderEnabledIf, type Condition, type Expr } from '../../constructs/expression.ts';
import type { ClusterClassPatch } from '../../constructs/patch.ts';
import { renderValueTemplate, type TemplateValue } from '../../constructs/value-template.ts';
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
  /** A plain variable reference, or a template value; rendered only when the class is written. */
  readonly valueFrom?: { readonly variable?: Expr<unknown>; readonly template?: TemplateValue };
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
  readonly enabledIf?: Condition;
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

/** A JSON value as the model holds it (JSON-shaped already); anything else names the patch. */
function jsonValue(value: unknown, where: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => jsonValue(v, `${where}[${i}]`));
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v, `${where}.${k}`)]));
  return fail(where, 'expected a JSON value', value);
}

/** The bundle model's patches in the form the conversion rewrites, expressions kept typed. */
export function patchesFromModel(patches: readonly ClusterClassPatch[]): PatchSpec[] {
  return patches.map((p) => ({
    name: p.name,
    description: p.description,
    ...(p.enabledIf ? { enabledIf: p.enabledIf } : {}),
    definitions: p.definitions.map((d) => ({
      selector: { apiVersion: d.selector.apiVersion, kind: d.selector.kind, matchResources: d.selector.matchResources },
      jsonPatches: d.jsonPatches.map((jp) => {
        const literal = jp.value?.spec.value;
        const from = jp.value?.valueFrom;
        return {
          op: jp.op,
          path: jp.path,
          ...(literal !== undefined ? { value: jsonValue(literal, `patch '${p.name}' ${jp.op} ${jp.path} value`) } : {}),
          ...(from?.variable !== undefined || from?.template !== undefined ? { valueFrom: from } : {}),
        };
      }),
    })),
  }));
}

/** Renders a patch back to its YAML shape. */
export function patchToJson(patch: PatchSpec): JsonObject {
  return {
    name: patch.name,
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.enabledIf !== undefined ? { enabledIf: renderEnabledIf(patch.enabledIf) } : {}),
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
    ...(p.valueFrom ? { valueFrom: valueFromJson(p.valueFrom) } : {}),
  };
}

function valueFromJson(from: NonNullable<JsonPatchSpec['valueFrom']>): JsonObject {
  const variable = from.variable?.variablePath;
  if (from.variable !== undefined && variable === undefined) throw new Error(`valueFrom.variable needs a plain variable reference, got '${from.variable.render()}'`);
  return { ...(variable !== undefined ? { variable } : {}), ...(from.template !== undefined ? { template: renderValueTemplate(from.template) } : {}) };
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
