/** A JSON value as JSON.parse returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * `record[key] = value` as an own property, even for `__proto__`, whose
 * assignment would set the prototype instead; every other key is a plain
 * assignment, which keeps a hot copy loop fast.
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit order (ASCII keys:
 * byte order) at every level, no insignificant whitespace, strings and
 * numbers as JSON.stringify writes them, keys whose value is undefined left
 * out as JSON.stringify does. The same value always gives the same bytes, so
 * a manifest's digest depends on its content only, and two values are equal
 * regardless of key order when their canonical JSON is. Throws on anything
 * that is not JSON (a non-finite number, undefined, a function).
 */
export function canonicalJson(value: JsonValue): string {
  return canonical(value, true);
}

/** canonicalJson as UTF-8 bytes. */
export function canonicalJsonBytes(value: JsonValue): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/**
 * canonicalJson for values that may not be JSON at all (input under
 * validation, shown in a message or compared): never throws (cycles aside);
 * what JSON cannot hold shows as `<undefined>`, `<function>`, `1n`.
 */
export function canonicalJsonOfAny(value: unknown): string {
  return canonical(value, false);
}

function canonical(value: unknown, strict: boolean): string {
  if (Array.isArray(value)) return `[${Array.from(value, (v: unknown) => canonical(v, strict)).join(',')}]`;
  if (isJsonObject(value) && (strict || isPlainObject(value))) {
    const record: Record<string, unknown> = value;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k], strict)}`).join(',')}}`;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
  if (strict) throw new Error(`canonical JSON: ${String(value)} is not a JSON ${typeof value === 'number' ? 'number' : 'value'}`);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? `<${typeof value}>`;
  } catch {
    return `<${typeof value}>`;
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Structural equality of parsed JSON/YAML values: map key order does not count, NaN equals NaN. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
