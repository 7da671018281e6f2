/**
 * ClusterClass v1beta1 → v1beta2, mirroring Cluster API v1.13.5's
 * api/core/v1beta1/conversion.go for the fields the stacks use; any other
 * field throws, naming the CAPI function to port.
 */
import { patchToJson, v1beta1References, workerClasses, type PatchSpec, type TemplateRef } from './class-model.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './json.ts';
import { rewritePatches, type TemplateEntry } from './patches.ts';
import { v1beta2ApiVersion } from './templates.ts';

const CORE_CONVERSION = 'api/core/v1beta1/conversion.go';

export const CLUSTER_CLASS_V1BETA1 = 'cluster.x-k8s.io/v1beta1';
export const CLUSTER_CLASS_V1BETA2 = 'cluster.x-k8s.io/v1beta2';

/**
 * `ref` → `templateRef` with apiVersion, kind and name only
 * (convert_v1beta1_LocalObjectTemplate_To_v1beta2_ClusterClassTemplateReference,
 * conversion.go:2070-2080); converted kinds get their v1beta2 apiVersion,
 * since the class must reference the templates in the version it patches.
 */
function templateRef(ref: TemplateRef): JsonObject {
  return { apiVersion: v1beta2ApiVersion(ref.apiVersion, ref.kind), kind: ref.kind, name: ref.name };
}

function onlyKeys(object: JsonObject, allowed: readonly string[], where: string, source: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new Error(`${where}.${key}: not converted to v1beta2 here (Cluster API converts it in ${CORE_CONVERSION}:${source})`);
  }
}

function refOf(holder: JsonValue | undefined, where: string): TemplateRef {
  if (!isJsonObject(holder)) throw new Error(`${where}: expected an object`);
  onlyKeys(holder, ['ref'], where, '2070');
  const ref = holder.ref;
  if (!isJsonObject(ref) || typeof ref.apiVersion !== 'string' || typeof ref.kind !== 'string' || typeof ref.name !== 'string') {
    throw new Error(`${where}.ref: expected apiVersion, kind and name`);
  }
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name };
}

function naming(strategy: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(strategy) && typeof strategy.template === 'string' && strategy.template !== '' ? { template: strategy.template } : undefined;
}

/**
 * The converted ClusterClass, its rewritten patches and the notes of the
 * rewrite; converted templates lose owned args in place. The patches come
 * typed (the class object's own `spec.patches` is their rendering, not read).
 */
export function convertClusterClass(object: JsonObject, patches: readonly PatchSpec[], templates: ReadonlyMap<string, TemplateEntry>): { object: JsonObject; patches: PatchSpec[]; notes: string[] } {
  const metadata = object.metadata;
  const name = isJsonObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '<unnamed>';
  const where = `ClusterClass ${name} spec`;
  if (object.apiVersion !== CLUSTER_CLASS_V1BETA1) throw new Error(`${where}: expected apiVersion ${CLUSTER_CLASS_V1BETA1}, got ${String(object.apiVersion)}`);
  const spec = object.spec;
  if (!isJsonObject(spec)) throw new Error(`${where}: expected an object`);
  // Convert_v1beta1_ClusterClassSpec_To_v1beta2_ClusterClassSpec (conversion.go:656-667)
  onlyKeys(spec, ['infrastructure', 'infrastructureNamingStrategy', 'controlPlane', 'workers', 'variables', 'patches'], where, '656');

  const infrastructureNaming = naming(spec.infrastructureNamingStrategy);
  const infrastructure: JsonObject = {
    templateRef: templateRef(refOf(spec.infrastructure, `${where}.infrastructure`)),
    ...(infrastructureNaming ? { naming: infrastructureNaming } : {}),
  };

  // Convert_v1beta1_ControlPlaneClass_To_v1beta2_ControlPlaneClass (conversion.go:678-722)
  const cp = spec.controlPlane;
  if (!isJsonObject(cp)) throw new Error(`${where}.controlPlane: expected an object`);
  onlyKeys(cp, ['ref', 'machineInfrastructure', 'metadata', 'namingStrategy'], `${where}.controlPlane`, '678');
  const cpNaming = naming(cp.namingStrategy);
  const controlPlane: JsonObject = {
    ...(cp.metadata !== undefined ? { metadata: cp.metadata } : {}),
    templateRef: templateRef(refOf({ ref: cp.ref ?? null }, `${where}.controlPlane`)),
    ...(cp.machineInfrastructure !== undefined
      ? { machineInfrastructure: { templateRef: templateRef(refOf(cp.machineInfrastructure, `${where}.controlPlane.machineInfrastructure`)) } }
      : {}),
    ...(cpNaming ? { naming: cpNaming } : {}),
  };

  // Convert_v1beta1_MachineDeploymentClass_To_v1beta2_MachineDeploymentClass (conversion.go:862-922)
  const machineDeployments = workerClasses(spec, where).map((md, i) => {
    const at = `${where}.workers.machineDeployments[${i}]`;
    onlyKeys(md, ['class', 'template', 'namingStrategy', 'failureDomain', 'minReadySeconds', 'readinessGates'], at, '862');
    const template = md.template;
    if (!isJsonObject(template)) throw new Error(`${at}.template: expected an object`);
    onlyKeys(template, ['bootstrap', 'infrastructure', 'metadata'], `${at}.template`, '862');
    const mdNaming = naming(md.namingStrategy);
    const out: JsonObject = {
      class: md.class ?? null,
      ...(template.metadata !== undefined ? { metadata: template.metadata } : {}),
      bootstrap: { templateRef: templateRef(refOf(template.bootstrap, `${at}.template.bootstrap`)) },
      infrastructure: { templateRef: templateRef(refOf(template.infrastructure, `${at}.template.infrastructure`)) },
      ...(mdNaming ? { naming: mdNaming } : {}),
      ...(typeof md.failureDomain === 'string' && md.failureDomain !== '' ? { failureDomain: md.failureDomain } : {}),
      ...(md.minReadySeconds !== undefined ? { minReadySeconds: md.minReadySeconds } : {}),
      ...(md.readinessGates !== undefined ? { readinessGates: md.readinessGates } : {}),
    };
    return out;
  });
  const workers = spec.workers;
  if (isJsonObject(workers)) onlyKeys(workers, ['machineDeployments'], `${where}.workers`, '1142 (machinePools)');

  // Convert_v1beta1_ClusterClassVariable_To_v1beta2_ClusterClassVariable (conversion.go:1971-1976)
  const variablesIn = spec.variables ?? [];
  if (!Array.isArray(variablesIn)) throw new Error(`${where}.variables: expected a list`);
  const variables = variablesIn.map((v, i) => {
    if (!isJsonObject(v)) throw new Error(`${where}.variables[${i}]: expected an object`);
    const { metadata: variableMetadata, ...rest } = v;
    return variableMetadata === undefined ? rest : { ...rest, deprecatedV1Beta1Metadata: variableMetadata };
  });

  const rewrite = rewritePatches(patches, v1beta1References(spec, where), templates, `ClusterClass ${name}`);

  const outSpec: JsonObject = {
    infrastructure,
    controlPlane,
    ...(spec.workers !== undefined ? { workers: { machineDeployments } } : {}),
    ...(variables.length > 0 ? { variables } : {}),
    ...(rewrite.patches.length > 0 ? { patches: rewrite.patches.map(patchToJson) } : {}),
  };
  return { object: { ...object, apiVersion: CLUSTER_CLASS_V1BETA2, spec: outSpec }, patches: rewrite.patches, notes: rewrite.notes };
}
