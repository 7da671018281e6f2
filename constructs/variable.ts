import { variableReference, type Expr } from './expression.ts';
import type { JSONSchemaProps, VariableSchema } from './variable-schema.ts';

export interface ClusterClassVariableProps<T> {
  /** The variable's schema; its TypeScript type types every reference to the variable. */
  readonly schema: VariableSchema<T>;
  /**
   * Whether a Cluster must set the variable. Cluster API applies the schema
   * default before checking, so a required variable with a default is fine.
   * @default false
   */
  readonly required?: boolean;
}

/** A variable of any value type, as the ClusterClass holds it. */
export interface DeclaredVariable {
  readonly name: string;
  readonly required: boolean;
  readonly openApiSchema: JSONSchemaProps;
}

/**
 * A ClusterClass variable, declared once with its TypeScript type. Patches
 * refer to it through `ref`, so a misspelt variable does not compile, and
 * the ClusterClass refuses patches whose variables it does not declare.
 *
 * @see https://cluster-api.sigs.k8s.io/tasks/experimental-features/cluster-class/write-clusterclass#clusterclass-with-patches
 */
export class ClusterClassVariable<T> implements DeclaredVariable {
  /** Expression reading the variable's value in patches. */
  public readonly ref: Expr<T>;
  public readonly required: boolean;
  public readonly schema: VariableSchema<T>;

  public constructor(public readonly name: string, props: ClusterClassVariableProps<T>) {
    // Cluster API rejects empty names, `builtin` and dots; camelCase keeps
    // names consistent and valid Go template identifiers.
    if (!/^[a-z][A-Za-z0-9]*$/.test(name)) {
      throw new Error(`variable name '${name}' is not valid; expected camelCase letters and digits, starting with a lower-case letter`);
    }
    if (name === 'builtin') throw new Error(`variable name 'builtin' is reserved by Cluster API`);
    this.schema = props.schema;
    this.required = props.required ?? false;
    this.ref = variableReference<T>(name);
  }

  /** The schema default: the value a Cluster that leaves the variable unset gets. */
  public get default(): T | undefined {
    return this.openApiSchema.default as T | undefined;
  }

  /** The openAPIV3Schema of this variable. */
  public get openApiSchema(): JSONSchemaProps {
    return this.schema.toOpenApi();
  }
}
