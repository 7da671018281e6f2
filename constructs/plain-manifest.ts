/**
 * What cdk8s's ApiObject.toJson() makes of a value, computed directly when
 * the value is plain data.
 *
 * cdk8s resolves an object's props by visiting every value with its
 * resolvers (Lazy, implicit tokens, number-or-string unions), copying the
 * key path at each step, and then sanitizes the copy (keys sorted, null and
 * undefined dropped). For a ClusterClass, whose spec carries every
 * variable's schema and every patch, that walk was the largest single cost
 * of synthesizing a bundle. On plain data (strings, numbers, booleans,
 * arrays and objects of Object.prototype) resolving changes nothing, so one
 * pass that sorts and drops gives the same result. Anything else a resolver
 * or the sanitizer treats in its own way (a Lazy, a class instance, a
 * function, an own `__proto__` key, an array hole) makes the whole value
 * NOT_PLAIN, and the caller takes cdk8s's own path.
 * test/constructs/plain-manifest.test.ts holds both paths equal.
 */

import type { ApiObjectMetadataDefinition } from 'cdk8s';

/** The value holds something only cdk8s's own resolution handles. */
export const NOT_PLAIN: unique symbol = Symbol('not plain data');

/** cdk8s's resolve() then sanitizeValue({ sortKeys: true }) of `value`, or NOT_PLAIN. */
export function sanitizedPlain(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return NOT_PLAIN;
      const r = sanitizedPlain(value[i]);
      if (r === NOT_PLAIN) return NOT_PLAIN;
      out[i] = r;
    }
    return out;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
  const record = value as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const key of sortedKeys(record)) {
    // cdk8s would assign it, setting the copy's prototype.
    if (key === '__proto__') return NOT_PLAIN;
    const r = sanitizedPlain(record[key]);
    if (r === NOT_PLAIN) return NOT_PLAIN;
    if (r !== undefined) out[key] = r;
  }
  return out;
}

/**
 * Object.keys(record).sort(): the same order (UTF-16 code units), sorted in
 * place for the few keys most objects have. Array.prototype.sort copies its
 * array first, and this runs for every object of every manifest.
 */
function sortedKeys(record: Readonly<Record<string, unknown>>): string[] {
  const keys = Object.keys(record);
  const n = keys.length;
  if (n > 16) return keys.sort();
  for (let i = 1; i < n; i++) {
    const key = keys[i];
    let j = i;
    for (; j > 0 && keys[j - 1] > key; j--) keys[j] = keys[j - 1];
    keys[j] = key;
  }
  return keys;
}

/**
 * What ApiObject.toJson() gives an object whose props are its group,
 * version and kind, `metadata` and `spec`, and which has no JSON patch:
 * its metadata and spec sanitized. Undefined when either is not plain data
 * or rendering the spec throws (the binding's own path then reports the
 * failure, naming the construct).
 */
export function plainObjectJson(metadata: ApiObjectMetadataDefinition, spec: () => unknown): { readonly metadata: unknown; readonly spec: unknown } | undefined {
  try {
    const plain = { metadata: sanitizedPlain(metadata.toJson()), spec: sanitizedPlain(spec()) };
    return plain.metadata === NOT_PLAIN || plain.spec === NOT_PLAIN ? undefined : plain;
  } catch {
    return undefined;
  }
}
