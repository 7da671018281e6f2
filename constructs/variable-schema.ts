/**
 * A Kubernetes openAPIV3Schema node (apiextensions.k8s.io/v1 JSONSchemaProps,
 * JSON field names): what ClusterClass variable schemas are written as, and
 * what CRDs declare (lib/pipeline/crd-schema.ts validates against those). Other keys
 * (x-metadata, ...) are allowed and ignored.
 */
export interface JSONSchemaProps {
  readonly type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  readonly format?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly example?: unknown;
  readonly enum?: readonly unknown[];
  readonly nullable?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly multipleOf?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly items?: JSONSchemaProps;
  readonly properties?: Readonly<Record<string, JSONSchemaProps>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JSONSchemaProps | boolean;
  readonly allOf?: readonly JSONSchemaProps[];
  readonly anyOf?: readonly JSONSchemaProps[];
  readonly oneOf?: readonly JSONSchemaProps[];
  readonly not?: JSONSchemaProps;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: string;
  readonly 'x-kubernetes-validations'?: readonly unknown[];
  readonly [extension: string]: unknown;
}

/** Options every schema accepts. */
export interface CommonSchemaOptions<T> {
  /** What the value means; ends up in the ClusterClass and in the generated docs. @default - none */
  readonly description?: string;
  /** Value Cluster API fills in when a Cluster leaves the variable unset. @default - no default */
  readonly default?: T;
  /** An example value, shown in docs and used by tests that set every variable. @default - none */
  readonly example?: T;
}

export interface StringSchemaOptions<E extends string> extends CommonSchemaOptions<E> {
  /** Allowed values. @default - any string */
  readonly enum?: readonly E[];
  /** OpenAPI format (uuid, cidr, uri, …). @default - none */
  readonly format?: string;
  /** @default - no limit */
  readonly minLength?: number;
  /** @default - no limit */
  readonly maxLength?: number;
  /** ECMA/RE2-compatible regular expression. @default - none */
  readonly pattern?: string;
}

export interface NumberSchemaOptions extends CommonSchemaOptions<number> {
  /** @default - no lower bound */
  readonly minimum?: number;
  /** @default - no upper bound */
  readonly maximum?: number;
  /** Allowed values. @default - any */
  readonly enum?: readonly number[];
}

export interface ArraySchemaOptions<T> extends CommonSchemaOptions<readonly T[]> {
  /** @default - no limit */
  readonly minItems?: number;
  /** @default - no limit */
  readonly maxItems?: number;
  /** @default false */
  readonly uniqueItems?: boolean;
}

export interface ObjectSchemaOptions<P> extends CommonSchemaOptions<Partial<ObjectValue<P>>> {
  /** Properties a value must set. @default - none */
  readonly required?: readonly (keyof P & string)[];
}

/** The TypeScript type a schema describes. */
export type TypeOf<S> = S extends VariableSchema<infer T> ? T : never;

type ObjectValue<P> = { [K in keyof P]?: TypeOf<P[K]> };

/**
 * The schema of a ClusterClass variable, carrying the TypeScript type `T`
 * of its values. Build one with the static factories.
 */
export class VariableSchema<T> {
  /** Phantom member carrying the value type; never set at run time. */
  declare readonly __valueType: T;

  public static string<const E extends string = string>(options: StringSchemaOptions<E> = {}): VariableSchema<E> {
    return new VariableSchema<E>({
      type: 'string',
      ...common(options),
      ...defined({
        enum: options.enum,
        format: options.format,
        minLength: options.minLength,
        maxLength: options.maxLength,
        pattern: options.pattern,
      }),
    });
  }

  public static integer(options: NumberSchemaOptions = {}): VariableSchema<number> {
    for (const key of ['default', 'example', 'minimum', 'maximum'] as const) {
      const value = options[key];
      if (value !== undefined && !Number.isInteger(value)) {
        throw new Error(`integer schema '${key}' must be an integer, got ${value}`);
      }
    }
    return VariableSchema.numeric('integer', options);
  }

  public static number(options: NumberSchemaOptions = {}): VariableSchema<number> {
    return VariableSchema.numeric('number', options);
  }

  public static boolean(options: CommonSchemaOptions<boolean> = {}): VariableSchema<boolean> {
    return new VariableSchema<boolean>({ type: 'boolean', ...common(options) });
  }

  public static array<T>(items: VariableSchema<T>, options: ArraySchemaOptions<T> = {}): VariableSchema<readonly T[]> {
    return new VariableSchema<readonly T[]>({
      type: 'array',
      ...common(options),
      items: items.toOpenApi(),
      ...defined({ minItems: options.minItems, maxItems: options.maxItems, uniqueItems: options.uniqueItems }),
    });
  }

  public static object<P extends Record<string, VariableSchema<unknown>>>(
    properties: P,
    options: ObjectSchemaOptions<P> = {},
  ): VariableSchema<ObjectValue<P>> {
    const rendered: Record<string, JSONSchemaProps> = {};
    for (const [name, schema] of Object.entries(properties)) rendered[name] = schema.toOpenApi();
    for (const name of options.required ?? []) {
      if (!(name in properties)) throw new Error(`object schema requires '${name}', which is not one of its properties (${Object.keys(properties).join(', ')})`);
    }
    return new VariableSchema<ObjectValue<P>>({
      type: 'object',
      ...common(options),
      properties: rendered,
      ...defined({ required: options.required && options.required.length > 0 ? options.required : undefined }),
    });
  }

  private static numeric(type: 'integer' | 'number', options: NumberSchemaOptions): VariableSchema<number> {
    if (options.minimum !== undefined && options.maximum !== undefined && options.minimum > options.maximum) {
      throw new Error(`${type} schema 'minimum' ${options.minimum} is greater than 'maximum' ${options.maximum}`);
    }
    return new VariableSchema<number>({
      type,
      ...common(options),
      ...defined({ minimum: options.minimum, maximum: options.maximum, enum: options.enum }),
    });
  }

  private constructor(private readonly schema: JSONSchemaProps) {}

  /** The openAPIV3Schema written into the ClusterClass. */
  public toOpenApi(): JSONSchemaProps {
    return this.schema;
  }
}

function common<T>(options: CommonSchemaOptions<T>): Partial<JSONSchemaProps> {
  return defined({ description: options.description, default: options.default, example: options.example });
}

function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(record) as (keyof T)[]) {
    if (record[key] !== undefined) out[key] = record[key];
  }
  return out;
}
