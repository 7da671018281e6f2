import type { ApiObject } from 'cdk8s';
import { Expr, type BuiltinScope, type Condition } from './expression.ts';
import { parsePointer } from './json-pointer.ts';
import type { MachineDeploymentClass } from './machine-deployment-class.ts';
import type { DeclaredVariable } from './variable.ts';
import { renderValueTemplate, templateDependencies, type TemplateValue } from './value-template.ts';

/** What a selector matches besides apiVersion and kind. */
export interface PatchSelectorMatch {
  /** The control plane template, or the control plane's machine infrastructure template. @default false */
  readonly controlPlane?: boolean;
  /** The infrastructure cluster template. @default false */
  readonly infrastructureCluster?: boolean;
  /** Templates of these worker classes. @default - none */
  readonly machineDeploymentClasses?: readonly MachineDeploymentClass[];
}

/**
 * Which templates a patch definition changes. The apiVersion and kind are
 * read from a template object, never typed as strings.
 */
export class PatchSelector {
  /** The infrastructure cluster template. */
  public static infrastructureCluster(template: ApiObject): PatchSelector {
    return new PatchSelector(template, { infrastructureCluster: true });
  }

  /** The control plane template or the control plane's machine infrastructure template (by kind). */
  public static controlPlane(template: ApiObject): PatchSelector {
    return new PatchSelector(template, { controlPlane: true });
  }

  /** Templates of the given worker classes. */
  public static machineDeploymentClasses(template: ApiObject, classes: readonly MachineDeploymentClass[]): PatchSelector {
    return new PatchSelector(template, { machineDeploymentClasses: classes });
  }

  /** Any combination, e.g. control plane and workers sharing one machine template kind. */
  public static matching(template: ApiObject, match: PatchSelectorMatch): PatchSelector {
    return new PatchSelector(template, match);
  }

  public readonly apiVersion: string;
  public readonly kind: string;
  public readonly match: SelectedTemplates;

  // The template is read for its apiVersion and kind only, and the worker
  // classes for their names: the typed model keeps no object whose name
  // carries the version (lib/pipeline/retarget.ts), and no construct, which
  // would keep the bundle's whole construct tree alive as long as its model.
  private constructor(template: ApiObject, match: PatchSelectorMatch) {
    this.apiVersion = template.apiVersion;
    this.kind = template.kind;
    this.match = {
      controlPlane: match.controlPlane === true,
      infrastructureCluster: match.infrastructureCluster === true,
      machineDeploymentClasses: (match.machineDeploymentClasses ?? []).map((c) => c.class),
    };
    if (!this.match.controlPlane && !this.match.infrastructureCluster && this.match.machineDeploymentClasses.length === 0) {
      throw new Error(`patch selector for ${this.kind} matches nothing; set controlPlane, infrastructureCluster or machineDeploymentClasses`);
    }
  }

  /** Only worker templates are selected, so `builtin.machineDeployment.*` is available. */
  public get onlyMachineDeployments(): boolean {
    return !this.match.controlPlane && !this.match.infrastructureCluster;
  }

  /** `selector.matchResources` as the ClusterClass writes it. */
  public get matchResources(): MatchResources {
    const classes = this.match.machineDeploymentClasses;
    return {
      ...(this.match.controlPlane ? { controlPlane: true } : {}),
      ...(this.match.infrastructureCluster ? { infrastructureCluster: true } : {}),
      ...(classes.length > 0 ? { machineDeploymentClass: { names: [...classes] } } : {}),
    };
  }
}

/** What a selector selects, as the model keeps it: worker classes by name. */
export interface SelectedTemplates {
  readonly controlPlane: boolean;
  readonly infrastructureCluster: boolean;
  /** The `class` of each selected MachineDeployment class. */
  readonly machineDeploymentClasses: readonly string[];
}

/** The ClusterClass form of a selector's match. */
export interface MatchResources {
  readonly controlPlane?: boolean;
  readonly infrastructureCluster?: boolean;
  readonly machineDeploymentClass?: { readonly names: readonly string[] };
}

/** Where a JSON patch takes its value from. */
export class PatchValue {
  /** A fixed value. */
  public static literal(value: unknown): PatchValue {
    if (value === undefined) throw new Error('a literal patch value cannot be undefined');
    return new PatchValue({ value: JSON.parse(JSON.stringify(value)) as unknown }, new Set(), new Set(), {});
  }

  /** The value of a variable, a field of one (`oidcConfig.field('issuerURL')`) or a builtin. */
  public static variable(reference: Expr<unknown>): PatchValue {
    const path = reference.variablePath;
    if (path === undefined) throw new Error(`valueFrom.variable needs a plain variable reference, got the expression '${reference.render()}'`);
    return new PatchValue({ valueFrom: { variable: path } }, reference.dependencies.variables, reference.dependencies.builtins, { variable: reference });
  }

  /** A value computed by a Go template (see value-template.ts). */
  public static template(value: TemplateValue): PatchValue {
    const deps = templateDependencies(value);
    return new PatchValue({ valueFrom: { template: renderValueTemplate(value) } }, deps.variables, deps.builtins, { template: value });
  }

  private constructor(
    public readonly spec: Readonly<Record<string, unknown>>,
    public readonly variables: ReadonlySet<string>,
    public readonly builtins: ReadonlySet<BuiltinScope>,
    /** The typed source of `valueFrom`, for rewrites that must not parse the rendering (lib/v1beta2). */
    public readonly valueFrom: { readonly variable?: Expr<unknown>; readonly template?: TemplateValue },
  ) {}
}

export type JsonPatchOperation = 'add' | 'replace' | 'remove';

/** One RFC 6902 operation of a patch definition. */
export class JsonPatch {
  /** Adds the value; the parent of `path` must exist in the selected template. */
  public static add(path: string, value: PatchValue): JsonPatch {
    return new JsonPatch('add', path, value);
  }

  /** Replaces an existing value. */
  public static replace(path: string, value: PatchValue): JsonPatch {
    return new JsonPatch('replace', path, value);
  }

  /** Removes an existing value. */
  public static remove(path: string): JsonPatch {
    return new JsonPatch('remove', path, undefined);
  }

  private constructor(
    public readonly op: JsonPatchOperation,
    public readonly path: string,
    public readonly value: PatchValue | undefined,
  ) {
    parsePointer(path);
    if (!path.startsWith('/spec/')) {
      throw new Error(`JSON patch path '${path}' must be below /spec/ (Cluster API only patches template specs)`);
    }
    // Cluster API's ClusterClass webhook (internal/webhooks/patch_validation.go,
    // validateIndexAccess) refuses any numeric path segment in replace and
    // remove, and any but 0 in add.
    for (const segment of path.split('/')) {
      if (!/^[+-]?[0-9]+$/.test(segment)) continue;
      if (op === 'add' && Number(segment) !== 0) {
        throw new Error(`JSON patch add ${path}: arrays can only be accessed using "0" (prepend) or "-" (append)`);
      }
      if (op !== 'add') throw new Error(`JSON patch ${op} ${path}: elements in arrays can not be accessed in a ${op} operation`);
    }
  }

}

/** One selector and the operations applied to what it selects. */
export interface PatchDefinition {
  readonly selector: PatchSelector;
  readonly jsonPatches: readonly JsonPatch[];
}

export interface ClusterClassPatchProps {
  /** Unique within the ClusterClass; by convention the name of the variable it applies. */
  readonly name: string;
  /** What the patch changes; shown in the ClusterClass and in the generated docs. */
  readonly description: string;
  /** When the patch applies. @default - always */
  readonly enabledIf?: Condition;
  readonly definitions: readonly PatchDefinition[];
}

/**
 * An inline ClusterClass patch (`spec.patches[]`). It records the variables
 * and builtins it reads so the ClusterClass can refuse unknown ones.
 */
export class ClusterClassPatch {
  public readonly name: string;
  public readonly description: string;
  public readonly enabledIf: Condition | undefined;
  public readonly definitions: readonly PatchDefinition[];
  /** Top-level variables read by the patch. */
  public readonly variables: ReadonlySet<string>;
  /** Builtin scopes read by the patch. */
  public readonly builtins: ReadonlySet<BuiltinScope>;

  public constructor(props: ClusterClassPatchProps) {
    if (!/^[a-zA-Z][a-zA-Z0-9-]*$/.test(props.name)) {
      throw new Error(`patch name '${props.name}' is not valid; expected letters, digits and '-'`);
    }
    if (props.definitions.length === 0) throw new Error(`patch '${props.name}' has no definitions`);
    for (const [i, d] of props.definitions.entries()) {
      if (d.jsonPatches.length === 0) throw new Error(`patch '${props.name}' definitions[${i}] has no jsonPatches`);
    }
    this.name = props.name;
    this.description = props.description;
    this.enabledIf = props.enabledIf;
    this.definitions = props.definitions;
    const variables = new Set<string>(props.enabledIf?.dependencies.variables ?? []);
    const builtins = new Set<BuiltinScope>(props.enabledIf?.dependencies.builtins ?? []);
    for (const d of props.definitions) {
      for (const p of d.jsonPatches) {
        for (const v of p.value?.variables ?? []) variables.add(v);
        for (const b of p.value?.builtins ?? []) builtins.add(b);
      }
    }
    this.variables = variables;
    this.builtins = builtins;
  }
}

/** Variables and patches that implement one feature together (e.g. OIDC, root volume). */
export interface ClusterClassFeature {
  readonly variables: readonly DeclaredVariable[];
  readonly patches: readonly ClusterClassPatch[];
}
