import yaml from 'js-yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every document of a multi-document YAML stream, empty documents (null) dropped. */
export function parseDocuments(text: string, where: string): Json[] {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text);
  } catch (e) {
    throw new Error(`${where}: not valid YAML: ${(e as Error).message}`);
  }
  return docs.filter((d) => d !== null && d !== undefined) as Json[];
}

/** The Kubernetes objects of a YAML stream; throws when a document is not a map. */
export function parseObjects(text: string, where: string): JsonObject[] {
  return parseDocuments(text, where).map((d, i) => {
    if (!isObject(d)) throw new Error(`${where}: document ${i + 1} is not a map: ${JSON.stringify(d).slice(0, 300)}`);
    return d;
  });
}

export function dumpDocuments(objects: readonly Json[]): string {
  return objects.map((o) => `---\n${yaml.dump(o, { noRefs: true, lineWidth: -1 })}`).join('');
}

/** `a/b/c` of a JSON pointer, for messages. */
function pointer(path: readonly (string | number)[]): string {
  return `/${path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/**
 * Where two JSON values differ, as `<pointer>: <a> != <b>` lines (at most
 * `limit`). Map key order does not matter; list order does.
 */
export function differences(a: Json | undefined, b: Json | undefined, limit = 20, path: (string | number)[] = [], out: string[] = []): string[] {
  if (out.length >= limit) return out;
  const show = (v: Json | undefined) => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 200));
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${pointer(path)}: list of ${a.length} != list of ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], limit, [...path, i], out);
  } else if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) differences(a[k], b[k], limit, [...path, k], out);
  } else if (a !== b) {
    out.push(`${pointer(path)}: ${show(a)} != ${show(b)}`);
  }
  return out;
}

/** Object identity for messages and lookups: `Kind name`. */
export function objectId(o: JsonObject): string {
  const meta = isObject(o.metadata) ? o.metadata : {};
  return `${String(o.kind)} ${String(meta.name)}`;
}

/** Reads a nested value, undefined when a step is missing. */
export function at(value: Json | undefined, ...path: (string | number)[]): Json | undefined {
  let v: Json | undefined = value;
  for (const p of path) {
    if (typeof p === 'number') v = Array.isArray(v) ? v[p] : undefined;
    else v = isObject(v) ? v[p] : undefined;
    if (v === undefined) return undefined;
  }
  return v;
}
