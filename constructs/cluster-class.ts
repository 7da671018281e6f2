import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ClusterClassV1Beta1,
  ClusterClassV1Beta1SpecPatchesDefinitionsJsonPatchesOp as JsonPatchOp,
  ClusterClassV1Beta1SpecVariablesSchemaOpenApiv3SchemaType as SchemaType,
  type ClusterClassV1Beta1Spec,
  type ClusterClassV1Beta1SpecPatches,
  type ClusterClassV1Beta1SpecVariables,
  type ClusterClassV1Beta1SpecVariablesSchemaOpenApiv3Schema,
} from '../imports/capi-clusterclasses-cluster.x-k8s.io.ts';
import { ClusterClassObject } from './api-objects.ts';
import { renderEnabledIf } from './expression.ts';
import { CopyOnWriteDocument } from './copy-on-write-document.ts';
import { ARRAY_INDEX, parsePointer, pointer } from './json-pointer.ts';
import { manifestOf } from './manifest-snapshot.ts';
import type { MachineDeploymentClass } from './machine-deployment-class.ts';
import { assertDnsLabel } from './names.ts';
import type { ClusterClassFeature, ClusterClassPatch, JsonPatch, PatchSelector } from './patch.ts';
import type { DeclaredVariable } from './variable.ts';
import type { JSONSchemaProps } from './variable-schema.ts';

export interface ControlPlaneClassProps {
  /** The control plane template, e.g. a KubeadmControlPlaneTemplate. */
  readonly template: ApiObject;
  /** The infrastructure machine template of control plane machines. @default - the control plane provider creates no machines */
  readonly machineInfrastructure?: ApiObject;
}

export interface ClusterClassProps {
  /** `metadata.name`; see names.ts for the cluster stack convention. */
  readonly name: string;
  /** The infrastructure cluster template (OpenStackClusterTemplate, DockerClusterTemplate, …). */
  readonly infrastructure: ApiObject;
  readonly controlPlane: ControlPlaneClassProps;
  /** Worker classes. @default - none; add with addMachineDeploymentClass() */
  readonly workers?: readonly MachineDeploymentClass[];
  /** Variables and patches, in patch order. @default - none; add with addFeature() */
  readonly features?: readonly ClusterClassFeature[];
}

/** A template the ClusterClass references, with the role a selector can match. */
interface ReferencedTemplate {
  readonly object: ApiObject;
  readonly role: 'infrastructureCluster' | 'controlPlane' | 'controlPlaneMachineInfrastructure' | 'machineDeploymentBootstrap' | 'machineDeploymentInfrastructure';
  readonly workerClass?: string;
}

/**
 * A Cluster API ClusterClass (cluster.x-k8s.io/v1beta1) with typed variables
 * and patches.
 *
 * Rendering is lazy, so features and worker classes added after construction
 * count. At synthesis it refuses what Cluster API's webhooks would refuse
 * (duplicate names, patches reading undeclared variables) and what would only
 * fail when a cluster is created (selectors that match no template, JSON
 * pointers that do not resolve in the selected template).
 *
 * @see https://cluster-api.sigs.k8s.io/tasks/experimental-features/cluster-class/write-clusterclass
 */
export class ClusterClass extends Construct {
  public readonly name: string;
  public readonly infrastructure: ApiObject;
  public readonly controlPlane: ControlPlaneClassProps;
  /** The generated L1 object. */
  public readonly resource: ClusterClassV1Beta1;
  private readonly workerClasses: MachineDeploymentClass[] = [];
  private readonly variableList: DeclaredVariable[] = [];
  private readonly patchList: ClusterClassPatch[] = [];

  public constructor(scope: Construct, id: string, props: ClusterClassProps) {
    super(scope, id);
    assertDnsLabel(props.name.replace(/\./g, '-'), `${this.node.path}: ClusterClass 'name'`);
    this.name = props.name;
    this.infrastructure = props.infrastructure;
    this.controlPlane = props.controlPlane;
    for (const w of props.workers ?? []) this.addMachineDeploymentClass(w);
    for (const f of props.features ?? []) this.addFeature(f);

    this.resource = new ClusterClassObject(this, 'Resource', props.name, () => this.renderSpec());
    this.node.addValidation({ validate: () => this.validateClass() });
  }

  public get workers(): readonly MachineDeploymentClass[] {
    return this.workerClasses;
  }

  public get variables(): readonly DeclaredVariable[] {
    return this.variableList;
  }

  public get patches(): readonly ClusterClassPatch[] {
    return this.patchList;
  }

  public addMachineDeploymentClass(workerClass: MachineDeploymentClass): void {
    this.workerClasses.push(workerClass);
  }

  public addVariable(variable: DeclaredVariable): void {
    this.variableList.push(variable);
  }

  public addPatch(patch: ClusterClassPatch): void {
    this.patchList.push(patch);
  }

  /**
   * Replaces a declared variable in place (same position), for overlays that
   * change its default or tighten its schema; see constructs/overlay/.
   */
  public replaceVariable(variable: DeclaredVariable): void {
    const index = this.variableList.findIndex((v) => v.name === variable.name);
    if (index < 0) throw new Error(`${this.node.path}: variable '${variable.name}' is not declared, so it cannot be replaced`);
    this.variableList[index] = variable;
  }

  /** Removes a patch by name (an overlay's waived removal); returns whether it was there. */
  public removePatch(name: string): boolean {
    const index = this.patchList.findIndex((p) => p.name === name);
    if (index >= 0) this.patchList.splice(index, 1);
    return index >= 0;
  }

  /** Adds a feature's variables and patches; a variable shared by several features is declared once. */
  public addFeature(feature: ClusterClassFeature): void {
    for (const v of feature.variables) {
      const existing = this.variableList.find((d) => d.name === v.name);
      if (existing === undefined) this.addVariable(v);
      else if (existing !== v) throw new Error(`${this.node.path}: variable '${v.name}' is declared twice with different definitions`);
    }
    for (const p of feature.patches) this.addPatch(p);
  }

  /** Every template the class references, ClusterClass order, without duplicates. */
  public get templates(): readonly ApiObject[] {
    const seen = new Set<ApiObject>();
    return this.referencedTemplates().map((t) => t.object).filter((o) => (seen.has(o) ? false : (seen.add(o), true)));
  }

  private referencedTemplates(): ReferencedTemplate[] {
    const refs: ReferencedTemplate[] = [
      { object: this.infrastructure, role: 'infrastructureCluster' },
      { object: this.controlPlane.template, role: 'controlPlane' },
    ];
    if (this.controlPlane.machineInfrastructure) refs.push({ object: this.controlPlane.machineInfrastructure, role: 'controlPlaneMachineInfrastructure' });
    for (const w of this.workerClasses) {
      refs.push({ object: w.bootstrap, role: 'machineDeploymentBootstrap', workerClass: w.class });
      refs.push({ object: w.infrastructure, role: 'machineDeploymentInfrastructure', workerClass: w.class });
    }
    return refs;
  }

  private renderSpec(): ClusterClassV1Beta1Spec {
    const ref = (o: ApiObject) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name });
    const machineInfrastructure = this.controlPlane.machineInfrastructure;
    return {
      infrastructure: { ref: ref(this.infrastructure) },
      controlPlane: {
        ref: ref(this.controlPlane.template),
        ...(machineInfrastructure ? { machineInfrastructure: { ref: ref(machineInfrastructure) } } : {}),
      },
      workers: {
        machineDeployments: this.workerClasses.map((w) => ({
          class: w.class,
          template: { bootstrap: { ref: ref(w.bootstrap) }, infrastructure: { ref: ref(w.infrastructure) } },
        })),
      },
      variables: this.variableList.map((v) => toVariableBinding(v)),
      patches: this.patchList.map((p) => toPatchBinding(p)),
    };
  }

  private validateClass(): string[] {
    const errors: string[] = [];
    const duplicates = (names: readonly string[], what: string) => {
      const seen = new Set<string>();
      for (const n of names) {
        if (seen.has(n)) errors.push(`${what} '${n}' is defined more than once`);
        seen.add(n);
      }
    };
    duplicates(this.variableList.map((v) => v.name), 'variable');
    duplicates(this.patchList.map((p) => p.name), 'patch');
    duplicates(this.workerClasses.map((w) => w.class), 'MachineDeployment class');

    const declared = new Set(this.variableList.map((v) => v.name));
    const references = this.referencedTemplates();
    // Documents as Cluster API sees them before a patch runs; unconditional
    // patches are applied as we go so later patches may build on them.
    const documents = new Map<ApiObject, CopyOnWriteDocument>();
    const documentOf = (o: ApiObject): CopyOnWriteDocument => {
      let document = documents.get(o);
      if (!document) documents.set(o, (document = new CopyOnWriteDocument(manifestOf(o))));
      return document;
    };

    for (const [index, patch] of this.patchList.entries()) {
      const where = `patch '${patch.name}' (spec.patches[${index}])`;
      // An enabled patch applies all its definitions in order to the same
      // templates; a conditional one must not leave its changes for later
      // patches, so it works on copies shared by its own definitions only.
      const patchDocuments = new Map<ApiObject, CopyOnWriteDocument>();
      const documentFor = (o: ApiObject): CopyOnWriteDocument => {
        if (!patch.enabledIf) return documentOf(o);
        let document = patchDocuments.get(o);
        if (!document) patchDocuments.set(o, (document = documentOf(o).fork()));
        return document;
      };
      for (const v of patch.variables) {
        if (!declared.has(v)) errors.push(`${where} reads variable '${v}', which the ClusterClass does not declare`);
      }
      const onlyWorkers = patch.definitions.every((d) => d.selector.onlyMachineDeployments);
      if (patch.builtins.has('machineDeployment') && !onlyWorkers) {
        errors.push(`${where} reads builtin.machineDeployment, which is only set for templates of MachineDeployment classes, but it also selects other templates`);
      }
      for (const [di, definition] of patch.definitions.entries()) {
        const matched = references.filter((r) => selects(definition.selector, r));
        const defWhere = `${where} definitions[${di}]`;
        if (matched.length === 0) {
          errors.push(`${defWhere} selector ${definition.selector.apiVersion} ${definition.selector.kind} ${JSON.stringify(definition.selector.matchResources)} matches no template the ClusterClass references`);
          continue;
        }
        for (const target of new Set(matched.map((m) => m.object))) {
          const document = documentFor(target);
          for (const [pi, jsonPatch] of definition.jsonPatches.entries()) {
            const problem = applyForValidation(document, jsonPatch);
            if (problem) errors.push(`${defWhere} jsonPatches[${pi}] ${jsonPatch.op} ${jsonPatch.path} on ${target.kind} ${target.name}: ${problem}`);
          }
        }
      }
    }
    return errors;
  }
}

function selects(selector: PatchSelector, ref: ReferencedTemplate): boolean {
  if (selector.apiVersion !== ref.object.apiVersion || selector.kind !== ref.object.kind) return false;
  const match = selector.match;
  switch (ref.role) {
    case 'infrastructureCluster':
      return match.infrastructureCluster === true;
    case 'controlPlane':
    case 'controlPlaneMachineInfrastructure':
      return match.controlPlane === true;
    default:
      return ref.workerClass !== undefined && match.machineDeploymentClasses.includes(ref.workerClass);
  }
}

/**
 * Applies a JSON patch to a document the way RFC 6902 would, with a
 * placeholder for values only known at cluster creation, and says why it
 * would fail.
 */
function applyForValidation(document: CopyOnWriteDocument, jsonPatch: JsonPatch): string | undefined {
  const segments = parsePointer(jsonPatch.path);
  const last = segments[segments.length - 1];
  const parentSegments = segments.slice(0, -1);
  // Only messages name the parent.
  const parentPath = () => pointer(...parentSegments);
  const parent = document.writable(parentSegments);
  if (!parent.found) return `${parent.missing} does not exist in the template`;
  const container = parent.value;
  const literal = jsonPatch.value?.spec.value;
  // Shared, not copied: the document copies it before a later patch writes into it.
  const value: unknown = literal !== undefined ? literal : {};
  if (Array.isArray(container)) {
    const index = last === '-' ? container.length : ARRAY_INDEX.test(last) ? Number(last) : -1;
    const limit = jsonPatch.op === 'add' ? container.length : container.length - 1;
    if (index < 0 || index > limit) return `${parentPath()} is an array of ${container.length} items; '${last}' is not a valid position`;
    if (jsonPatch.op === 'add') container.splice(index, 0, value);
    else if (jsonPatch.op === 'replace') container[index] = value;
    else container.splice(index, 1);
    return undefined;
  }
  if (container === null || typeof container !== 'object') return `${parentPath()} is not an object or array`;
  const record = container as Record<string, unknown>;
  if (jsonPatch.op !== 'add' && !Object.prototype.hasOwnProperty.call(record, last)) {
    return `${jsonPatch.path} does not exist in the template, so it cannot be ${jsonPatch.op === 'replace' ? 'replaced' : 'removed'}`;
  }
  if (jsonPatch.op === 'remove') delete record[last];
  else record[last] = value;
  return undefined;
}

const SCHEMA_TYPES: Record<NonNullable<JSONSchemaProps['type']>, SchemaType> = {
  string: SchemaType.STRING,
  integer: SchemaType.INTEGER,
  number: SchemaType.NUMBER,
  boolean: SchemaType.BOOLEAN,
  array: SchemaType.ARRAY,
  object: SchemaType.OBJECT,
};

/**
 * The binding names the top level of openAPIV3Schema in TypeScript style
 * (`xKubernetesPreserveUnknownFields`); nested schemas are passed through.
 */
function toVariableBinding(variable: DeclaredVariable): ClusterClassV1Beta1SpecVariables {
  const { type, 'x-kubernetes-preserve-unknown-fields': preserve, enum: enumValues, required, ...rest } = variable.openApiSchema;
  const schema: ClusterClassV1Beta1SpecVariablesSchemaOpenApiv3Schema = {
    ...rest,
    ...(type ? { type: SCHEMA_TYPES[type] } : {}),
    ...(preserve !== undefined ? { xKubernetesPreserveUnknownFields: preserve } : {}),
    ...(enumValues ? { enum: [...enumValues] } : {}),
    ...(required ? { required: [...required] } : {}),
  };
  return { name: variable.name, required: variable.required, schema: { openApiv3Schema: schema } };
}

const OPS: Record<JsonPatch['op'], JsonPatchOp> = { add: JsonPatchOp.ADD, replace: JsonPatchOp.REPLACE, remove: JsonPatchOp.REMOVE };

function toPatchBinding(patch: ClusterClassPatch): ClusterClassV1Beta1SpecPatches {
  return {
    name: patch.name,
    description: patch.description,
    ...(patch.enabledIf ? { enabledIf: renderEnabledIf(patch.enabledIf) } : {}),
    definitions: patch.definitions.map((d) => {
      const match = d.selector.matchResources;
      return {
        selector: {
          apiVersion: d.selector.apiVersion,
          kind: d.selector.kind,
          matchResources: {
            ...(match.controlPlane ? { controlPlane: true } : {}),
            ...(match.infrastructureCluster ? { infrastructureCluster: true } : {}),
            ...(match.machineDeploymentClass ? { machineDeploymentClass: { names: [...match.machineDeploymentClass.names] } } : {}),
          },
        },
        jsonPatches: d.jsonPatches.map((p) => ({
          op: OPS[p.op],
          path: p.path,
          ...(p.value?.spec ?? {}),
        })),
      };
    }),
  };
}
