import type { JSONSchemaProps } from '../pipeline/crd-schema.ts';
import type { ClusterClassVariable } from './bundle-content.ts';

/** One row of the variables table: a variable, or a property nested in one. */
export interface VariableRow {
  /** `oidcConfig`, `oidcConfig.clientID`, `workerAdditionalBlockDevices[].name`. */
  readonly path: string;
  /** 0 for a variable, 1 for its properties, … */
  readonly depth: number;
  readonly type: string;
  readonly default: unknown;
  readonly example: unknown;
  readonly enum: readonly unknown[] | undefined;
  readonly constraints: readonly string[];
  /** For a variable: the ClusterClass's `required`; for a property: listed in its object's `required`. */
  readonly required: boolean;
  readonly description: string | undefined;
}

/** `string`, `array of string`, `object{name, cloudName}`, `map of string`, `int or string`. */
export function typeName(schema: JSONSchemaProps): string {
  if (schema['x-kubernetes-int-or-string'] === true) return 'int or string';
  switch (schema.type) {
    case 'array':
      return schema.items ? `array of ${typeName(schema.items)}` : 'array';
    case 'object': {
      if (schema.properties) return `object{${Object.keys(schema.properties).join(', ')}}`;
      if (typeof schema.additionalProperties === 'object') return `map of ${typeName(schema.additionalProperties)}`;
      if (schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true) return 'object (any fields)';
      return 'object';
    }
    case undefined:
      return 'any';
    default:
      return schema.type;
  }
}

/** The constraints of one schema node, without those of nested nodes. */
function ownConstraints(schema: JSONSchemaProps): string[] {
  const out: string[] = [];
  if (schema.format !== undefined) out.push(`format: ${schema.format}`);
  if (schema.pattern !== undefined) out.push(`pattern: ${schema.pattern}`);
  if (schema.minimum !== undefined) out.push(`${schema.exclusiveMinimum ? '>' : '≥'} ${schema.minimum}`);
  if (schema.maximum !== undefined) out.push(`${schema.exclusiveMaximum ? '<' : '≤'} ${schema.maximum}`);
  if (schema.multipleOf !== undefined) out.push(`multiple of ${schema.multipleOf}`);
  if (schema.minLength !== undefined) out.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) out.push(`max length ${schema.maxLength}`);
  if (schema.minItems !== undefined) out.push(`min items ${schema.minItems}`);
  if (schema.maxItems !== undefined) out.push(`max items ${schema.maxItems}`);
  if (schema.uniqueItems === true) out.push('unique items');
  if (schema.minProperties !== undefined) out.push(`min properties ${schema.minProperties}`);
  if (schema.maxProperties !== undefined) out.push(`max properties ${schema.maxProperties}`);
  if (schema.nullable === true) out.push('nullable');
  return out;
}

/**
 * Constraints of a node; for arrays those of the (non-object) items too,
 * marked "each item", since arrays of scalars get no sub-rows.
 */
export function constraintsOf(schema: JSONSchemaProps): string[] {
  const out = ownConstraints(schema);
  if (schema.type === 'array' && schema.items && !schema.items.properties) {
    const items = schema.items;
    out.push(...ownConstraints(items).map((c) => `each item ${c}`));
    if (items.enum !== undefined) out.push(`each item one of ${items.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  return out;
}

/**
 * The rows of the variables table: each variable in ClusterClass order, each
 * followed by its nested properties (objects, and objects inside arrays as
 * `name[].property`), depth first, in declaration order.
 */
export function variableRows(variables: readonly ClusterClassVariable[]): VariableRow[] {
  const rows: VariableRow[] = [];
  const visit = (path: string, depth: number, schema: JSONSchemaProps, required: boolean) => {
    rows.push({
      path,
      depth,
      type: typeName(schema),
      default: schema.default,
      example: schema.example,
      enum: schema.enum,
      constraints: constraintsOf(schema),
      required,
      description: typeof schema.description === 'string' ? schema.description : undefined,
    });
    const object = schema.type === 'array' ? schema.items : schema;
    const prefix = schema.type === 'array' ? `${path}[]` : path;
    if (object?.properties) {
      for (const [key, child] of Object.entries(object.properties)) visit(`${prefix}.${key}`, depth + 1, child, (object.required ?? []).includes(key));
    } else if (schema.type === 'object' && typeof schema.additionalProperties === 'object' && schema.additionalProperties.properties) {
      const values = schema.additionalProperties;
      for (const [key, child] of Object.entries(values.properties ?? {})) visit(`${path}.<key>.${key}`, depth + 1, child, (values.required ?? []).includes(key));
    }
  };
  for (const v of variables) visit(v.name, 0, v.schema.openAPIV3Schema, v.required);
  return rows;
}

/** The schema at a dotted variable path (`oidcConfig.clientID`), if the schema declares it. */
export function schemaAt(variables: readonly ClusterClassVariable[], dotted: string): JSONSchemaProps | undefined {
  const [head, ...rest] = dotted.split('.');
  let schema: JSONSchemaProps | undefined = variables.find((v) => v.name === head)?.schema.openAPIV3Schema;
  for (const key of rest) schema = schema?.properties?.[key];
  return schema;
}
