import { pointer } from '../../constructs/json-pointer.ts';
import type { JsonObject, JsonValue } from '../bytes/json.ts';

export { jsonEqual } from '../bytes/json.ts';
/** A parsed JSON/YAML value. */
export type Json = JsonValue;
export type { JsonObject };

/** Path segments into a JSON value; rendered as an RFC 6901 pointer in messages. */
export type JsonPath = readonly (string | number)[];

export function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks that a parsed document is plain JSON data (YAML may also give dates and the like). */
export function toJson(value: unknown, where: string): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v, i) => toJson(v, `${where}/${i}`));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toJson(v, `${where}/${k}`);
    return out;
  }
  throw new Error(`${where}: not JSON data (${typeof value})`);
}

/** The value at `path`, or undefined when any segment is missing. */
export function at(root: Json | undefined, path: JsonPath): Json | undefined {
  let current: Json | undefined = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isObject(current) && typeof segment === 'string' && Object.prototype.hasOwnProperty.call(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

export function objectAt(root: Json | undefined, path: JsonPath): JsonObject | undefined {
  const v = at(root, path);
  return isObject(v) ? v : undefined;
}

export function arrayAt(root: Json | undefined, path: JsonPath): Json[] {
  const v = at(root, path);
  return Array.isArray(v) ? v : [];
}

export function stringAt(root: Json | undefined, path: JsonPath): string | undefined {
  const v = at(root, path);
  return typeof v === 'string' ? v : undefined;
}

export const ptr = (path: JsonPath): string => pointer(...path);

/** Renders a value for a message: strings quoted, absent values as `missing`. */
export function show(value: Json | undefined): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/** Strategic/merge patch semantics for plain configuration: objects merge, everything else replaces, null deletes. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
