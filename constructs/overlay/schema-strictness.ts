import type { JSONSchemaProps } from '../variable-schema.ts';

/**
 * Says where `derived` accepts a value that `base` refuses: the schema of an
 * overlay's variable may only tighten its base's (so every Cluster valid for
 * the derived class is valid for the base class, and the base's patches see
 * only values they were written for).
 *
 * Documentation keys (`description`, `example`) and `default` are free; the
 * default is checked against the derived schema separately
 * ({@link valueViolations}). Each message starts with the JSON path of the
 * schema keyword, e.g. `.properties.mtu.maximum`.
 */
export function schemaWeakenings(base: JSONSchemaProps, derived: JSONSchemaProps, path = ''): string[] {
  const out: string[] = [];
  const at = (key: string) => `${path}.${key}`;
  if (base.type !== undefined && derived.type !== base.type) out.push(`${at('type')}: ${show(derived.type)} instead of ${show(base.type)}`);
  if (base.format !== undefined && derived.format !== base.format) out.push(`${at('format')}: ${show(derived.format)} instead of ${show(base.format)}`);
  if (base.pattern !== undefined && derived.pattern !== base.pattern) {
    // Whether one regular expression is stricter than another is undecidable here; keep it.
    out.push(`${at('pattern')}: ${show(derived.pattern)} instead of ${show(base.pattern)}`);
  }
  if (base.enum !== undefined) {
    if (derived.enum === undefined) out.push(`${at('enum')}: removed (base allows only ${show(base.enum)})`);
    else {
      const extra = derived.enum.filter((v) => !base.enum!.some((b) => sameJson(b, v)));
      if (extra.length > 0) out.push(`${at('enum')}: adds ${show(extra)}`);
    }
  }
  lower(out, at('minimum'), base.minimum, derived.minimum);
  upper(out, at('maximum'), base.maximum, derived.maximum);
  lower(out, at('minLength'), base.minLength, derived.minLength);
  upper(out, at('maxLength'), base.maxLength, derived.maxLength);
  lower(out, at('minItems'), base.minItems, derived.minItems);
  upper(out, at('maxItems'), base.maxItems, derived.maxItems);
  if (base.exclusiveMinimum === true && derived.exclusiveMinimum !== true && derived.minimum === base.minimum) out.push(`${at('exclusiveMinimum')}: no longer exclusive`);
  if (base.exclusiveMaximum === true && derived.exclusiveMaximum !== true && derived.maximum === base.maximum) out.push(`${at('exclusiveMaximum')}: no longer exclusive`);
  if (base.uniqueItems === true && derived.uniqueItems !== true) out.push(`${at('uniqueItems')}: no longer true`);
  if (base['x-kubernetes-preserve-unknown-fields'] !== true && derived['x-kubernetes-preserve-unknown-fields'] === true) {
    out.push(`${at('x-kubernetes-preserve-unknown-fields')}: true keeps fields the base prunes`);
  }
  for (const name of base.required ?? []) {
    if (!(derived.required ?? []).includes(name)) out.push(`${at('required')}: '${name}' is no longer required`);
  }
  if (base.items !== undefined) {
    if (derived.items === undefined) out.push(`${at('items')}: removed`);
    else out.push(...schemaWeakenings(base.items, derived.items, at('items')));
  }
  if (base.additionalProperties !== undefined) {
    const [a, b] = [base.additionalProperties, derived.additionalProperties];
    if (b === undefined) out.push(`${at('additionalProperties')}: removed`);
    else if (typeof a === 'object' && typeof b === 'object') out.push(...schemaWeakenings(a, b, at('additionalProperties')));
    // true accepts any value, false none.
    else if (a !== b && (b === true || a === false)) out.push(`${at('additionalProperties')}: accepts values the base does not`);
  } else if (derived.additionalProperties !== undefined && base.properties !== undefined) {
    out.push(`${at('additionalProperties')}: accepts keys the base's properties do not`);
  }
  if (base.properties !== undefined) {
    for (const [name, schema] of Object.entries(base.properties)) {
      const d = derived.properties?.[name];
      if (d === undefined) out.push(`${at(`properties.${name}`)}: removed`);
      else out.push(...schemaWeakenings(schema, d, at(`properties.${name}`)));
    }
    // Cluster API prunes unknown fields, so a new property is one more value accepted.
    for (const name of Object.keys(derived.properties ?? {})) {
      if (!(name in base.properties)) out.push(`${at(`properties.${name}`)}: added; the base would prune it`);
    }
  }
  return out;
}

/** Where `value` breaks the keywords of `schema` that an overlay can tighten; empty when it conforms. */
export function valueViolations(schema: JSONSchemaProps, value: unknown, path = ''): string[] {
  const out: string[] = [];
  if (schema.enum !== undefined && !schema.enum.some((e) => sameJson(e, value))) out.push(`${path || '.'}: ${show(value)} is not one of ${show(schema.enum)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${path || '.'}: ${value} is below the minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${path || '.'}: ${value} is above the maximum ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) out.push(`${path || '.'}: shorter than minLength ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) out.push(`${path || '.'}: longer than maxLength ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) out.push(`${path || '.'}: ${show(value)} does not match ${show(schema.pattern)}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push(`${path || '.'}: fewer than minItems ${schema.minItems}`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(`${path || '.'}: more than maxItems ${schema.maxItems}`);
    if (schema.items) value.forEach((v, i) => out.push(...valueViolations(schema.items!, v, `${path}[${i}]`)));
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in record)) out.push(`${path || '.'}: '${name}' is required`);
    for (const [k, v] of Object.entries(record)) {
      const property = schema.properties?.[k];
      if (property) out.push(...valueViolations(property, v, `${path}.${k}`));
    }
  }
  return out;
}

function lower(out: string[], where: string, base: number | undefined, derived: number | undefined): void {
  if (base === undefined) return;
  if (derived === undefined) out.push(`${where}: removed (the base's is ${base})`);
  else if (derived < base) out.push(`${where}: ${derived} is lower than the base's ${base}`);
}

function upper(out: string[], where: string, base: number | undefined, derived: number | undefined): void {
  if (base === undefined) return;
  if (derived === undefined) out.push(`${where}: removed (the base's is ${base})`);
  else if (derived > base) out.push(`${where}: ${derived} is higher than the base's ${base}`);
}

/** Structural equality of JSON values, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}
