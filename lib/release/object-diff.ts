import { jsonEqual } from '../bytes/json.ts';
import { loadYamlDocuments } from '../bytes/yaml-documents.ts';

/**
 * What changed between two bundles (for instance the previous release's files
 * and the newly generated ones), file by file and, for YAML, object by object
 * and field by field — so a reviewer sees *why* a release gets a new version
 * instead of a wall of text diff.
 *
 * Comparison is semantic: YAML is parsed, so key order, quoting, comments and
 * indentation do not count as changes of an object (a file whose text differs
 * only in those ways is still listed, with no object changes, because its
 * bytes — and so any content hash over them — did change).
 */

export type ChangeKind = 'added' | 'removed' | 'changed';

/** One changed value inside an object. */
export interface FieldChange {
  /**
   * Where the value is, as a JSON pointer (RFC 6901 escaping: '~' → '~0',
   * '/' → '~1'), except that elements of arrays matched by name (see
   * `diffTrees`) are addressed by that name, not by their index — an index
   * would differ between the two versions and tell the reader nothing. Such a
   * pointer is therefore not resolvable against the document verbatim.
   * The empty string is the whole document.
   */
  readonly path: string;
  readonly kind: ChangeKind;
  /** The old value; absent for 'added'. */
  readonly before?: unknown;
  /** The new value; absent for 'removed'. */
  readonly after?: unknown;
}

/** One Kubernetes object (or plain YAML document) that was added, removed or changed. */
export interface ObjectChange {
  readonly kind: ChangeKind;
  /** The Kubernetes `kind`; absent for a document that is not a Kubernetes object. */
  readonly objectKind?: string;
  /**
   * The name the two versions were matched by: `normalizeName(metadata.name)`,
   * prefixed with `namespace/` when namespaced; `document N` (1-based, among
   * the file's non-Kubernetes documents) for plain documents.
   */
  readonly name: string;
  /** `metadata.name` in the old version, when the object exists there. */
  readonly beforeName?: string;
  /** `metadata.name` in the new version, when the object exists there. */
  readonly afterName?: string;
  /** The changed fields; empty for added and removed objects. */
  readonly fields: readonly FieldChange[];
}

export interface AddedOrRemovedFile {
  readonly kind: 'added' | 'removed';
  readonly path: string;
}

/** A YAML file that parses on both sides, compared object by object. */
export interface ChangedYamlFile {
  readonly kind: 'changed';
  readonly path: string;
  readonly format: 'yaml';
  /**
   * Both versions hold exactly one document and it is not a Kubernetes
   * object (values.yaml, metadata.yaml): there is nothing to tell apart, so
   * its fields are shown directly under the file.
   */
  readonly singleDocument: boolean;
  /** Empty when only comments, formatting or key order changed. */
  readonly objects: readonly ObjectChange[];
}

/** A file compared as text: not YAML, or not parsable on at least one side. */
export interface ChangedTextFile {
  readonly kind: 'changed';
  readonly path: string;
  readonly format: 'text';
  /** For a `.yaml`/`.yml` file: which version failed to parse. */
  readonly unparsable?: 'before' | 'after' | 'both';
}

export type FileChange = AddedOrRemovedFile | ChangedYamlFile | ChangedTextFile;

/** The changed files, sorted by path; empty when the trees are equal. */
export type TreeDiff = readonly FileChange[];

export interface TreeDiffOptions {
  /**
   * Maps `metadata.name` to the name objects are matched by, so an object
   * whose name carries a version (`openstack-scs-1-34-v1-control-plane`) is
   * matched with its successor (`…-v2-…`) and shown as changed, not as
   * removed and added. Identity when not given.
   */
  readonly normalizeName?: (name: string) => string;
}

/**
 * Array element keys by which arrays of objects are matched instead of by
 * index, in order of preference: `name` (ClusterClass variables and patches,
 * containers, env) and `path` (KubeadmConfig files, JSON patches). Used only
 * when every element on both sides has the key as a string and the values
 * are unique on each side; otherwise elements are matched by index. A
 * reordering of such an array is therefore not a change.
 */
const MATCH_KEYS = ['name', 'path'] as const;

/** Compares two file trees (relative path → text content). */
export function diffTrees(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, options: TreeDiffOptions = {}): TreeDiff {
  const normalizeName = options.normalizeName ?? ((name: string) => name);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort(compareStrings);
  const out: FileChange[] = [];
  for (const path of paths) {
    const a = before.get(path);
    const b = after.get(path);
    if (a === undefined) out.push({ kind: 'added', path });
    else if (b === undefined) out.push({ kind: 'removed', path });
    else if (a !== b) out.push(diffFile(path, a, b, normalizeName));
  }
  return out;
}

function diffFile(path: string, before: string, after: string, normalizeName: (name: string) => string): FileChange {
  if (!/\.ya?ml$/i.test(path)) return { kind: 'changed', path, format: 'text' };
  const a = parseDocuments(before);
  const b = parseDocuments(after);
  if (a === undefined || b === undefined) {
    const unparsable = a === undefined && b === undefined ? 'both' : a === undefined ? 'before' : 'after';
    return { kind: 'changed', path, format: 'text', unparsable };
  }
  const singleDocument = a.length === 1 && b.length === 1 && !isKubernetesObject(a[0]) && !isKubernetesObject(b[0]);
  return { kind: 'changed', path, format: 'yaml', singleDocument, objects: diffObjects(identify(a, normalizeName), identify(b, normalizeName)) };
}

/**
 * The file's documents, without the empty ones a leading or trailing `---`
 * produces; undefined when the text is not YAML. The core schema keeps every
 * value JSON-like (no Date for timestamps), as Kubernetes reads them.
 */
function parseDocuments(text: string): unknown[] | undefined {
  try {
    return loadYamlDocuments(text, '');
  } catch {
    return undefined;
  }
}

interface IdentifiedObject {
  readonly objectKind?: string;
  readonly name: string;
  readonly rawName?: string;
  readonly value: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKubernetesObject(doc: unknown): doc is Record<string, unknown> & { kind: string; metadata: Record<string, unknown> & { name: string } } {
  return isRecord(doc) && typeof doc.kind === 'string' && isRecord(doc.metadata) && typeof doc.metadata.name === 'string';
}

/** Each document under the key it is matched by, in file order. */
function identify(docs: readonly unknown[], normalizeName: (name: string) => string): Map<string, IdentifiedObject> {
  const out = new Map<string, IdentifiedObject>();
  let plain = 0;
  for (const doc of docs) {
    let object: IdentifiedObject;
    if (isKubernetesObject(doc)) {
      const namespace = doc.metadata.namespace;
      const normalized = normalizeName(doc.metadata.name);
      const name = typeof namespace === 'string' && namespace !== '' ? `${namespace}/${normalized}` : normalized;
      object = { objectKind: doc.kind, name, rawName: doc.metadata.name, value: doc };
    } else {
      plain++;
      object = { name: `document ${plain}`, value: doc };
    }
    // The same kind and name twice in one file (possible after
    // normalization): tell the later ones apart by their position.
    const base = `${object.objectKind ?? ''}\0${object.name}`;
    let key = base;
    let n = 1;
    while (out.has(key)) key = `${base}#${++n}`;
    out.set(key, n === 1 ? object : { ...object, name: `${object.name}#${n}` });
  }
  return out;
}

/** Objects in the new file's order, then the removed ones in the old file's order. */
function diffObjects(before: ReadonlyMap<string, IdentifiedObject>, after: ReadonlyMap<string, IdentifiedObject>): ObjectChange[] {
  const out: ObjectChange[] = [];
  for (const [key, b] of after) {
    const a = before.get(key);
    const names = { ...(a?.rawName === undefined ? {} : { beforeName: a.rawName }), ...(b.rawName === undefined ? {} : { afterName: b.rawName }) };
    const kind = b.objectKind === undefined ? {} : { objectKind: b.objectKind };
    if (a === undefined) {
      out.push({ kind: 'added', ...kind, name: b.name, ...names, fields: [] });
      continue;
    }
    const fields: FieldChange[] = [];
    diffValues(a.value, b.value, [], fields);
    if (fields.length > 0) out.push({ kind: 'changed', ...kind, name: b.name, ...names, fields });
  }
  for (const [key, a] of before) {
    if (after.has(key)) continue;
    out.push({ kind: 'removed', ...(a.objectKind === undefined ? {} : { objectKind: a.objectKind }), name: a.name, ...(a.rawName === undefined ? {} : { beforeName: a.rawName }), fields: [] });
  }
  return out;
}

/**
 * Appends the differences between two parsed values to `out`. Maps are
 * compared key by key (new order first, then removed keys in old order),
 * arrays by name where possible (see MATCH_KEYS), else by index; anything
 * else that differs is one 'changed' entry holding both whole values.
 */
function diffValues(before: unknown, after: unknown, path: readonly string[], out: FieldChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    for (const key of orderedKeys(Object.keys(before), Object.keys(after))) {
      diffMember(Object.hasOwn(before, key), before[key], Object.hasOwn(after, key), after[key], [...path, key], out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const matchKey = arrayMatchKey(before, after);
    if (matchKey === undefined) {
      for (let i = 0; i < Math.max(before.length, after.length); i++) {
        diffMember(i < before.length, before[i], i < after.length, after[i], [...path, String(i)], out);
      }
      return;
    }
    const byName = (items: readonly unknown[]): Map<string, unknown> => new Map(items.map((item) => [elementKey(item, matchKey), item]));
    const a = byName(before);
    const b = byName(after);
    for (const name of orderedKeys([...a.keys()], [...b.keys()])) {
      diffMember(a.has(name), a.get(name), b.has(name), b.get(name), [...path, name], out);
    }
    return;
  }
  if (!jsonEqual(before, after)) out.push({ path: pointer(path), kind: 'changed', before, after });
}

function diffMember(inBefore: boolean, before: unknown, inAfter: boolean, after: unknown, path: readonly string[], out: FieldChange[]): void {
  if (inBefore && inAfter) diffValues(before, after, path, out);
  else if (inAfter) out.push({ path: pointer(path), kind: 'added', after });
  else if (inBefore) out.push({ path: pointer(path), kind: 'removed', before });
}

/** The new keys in their order, then the keys only the old side has, in its order. */
function orderedKeys(before: readonly string[], after: readonly string[]): string[] {
  const inAfter = new Set(after);
  return [...after, ...before.filter((k) => !inAfter.has(k))];
}

function arrayMatchKey(before: readonly unknown[], after: readonly unknown[]): (typeof MATCH_KEYS)[number] | undefined {
  if (before.length === 0 && after.length === 0) return undefined;
  return MATCH_KEYS.find((key) => uniquelyKeyed(before, key) && uniquelyKeyed(after, key));
}

function uniquelyKeyed(items: readonly unknown[], key: string): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    if (!isRecord(item)) return false;
    const value = item[key];
    if (typeof value !== 'string' || seen.has(value)) return false;
    seen.add(value);
  }
  return true;
}

function elementKey(item: unknown, key: string): string {
  const value = isRecord(item) ? item[key] : undefined;
  if (typeof value !== 'string') throw new Error(`object-diff: internal error: array element without a string '${key}'`);
  return value;
}

function pointer(path: readonly string[]): string {
  return path.map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** Code-unit order, independent of the locale (unlike localeCompare). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface FormatTreeDiffOptions {
  /** Values longer than this (as JSON) are cut and end with '…'. Default 120. */
  readonly maxValueLength?: number;
}

const SIGN: Readonly<Record<ChangeKind, string>> = { added: '+', removed: '-', changed: '~' };

/**
 * The diff as indented text, one change per line: `+` added, `-` removed,
 * `~` changed; files, then objects, then fields. Values are shown as JSON.
 * Field paths use the matched name instead of an index for arrays matched
 * by name (see `FieldChange.path`). Deterministic for the same diff.
 */
export function formatTreeDiff(diff: TreeDiff, options: FormatTreeDiffOptions = {}): string {
  const max = options.maxValueLength ?? 120;
  const lines: string[] = [];
  for (const file of diff) {
    if (file.kind !== 'changed') {
      lines.push(`${SIGN[file.kind]} ${file.path}`);
    } else if (file.format === 'text') {
      const why = file.unparsable === undefined
        ? ''
        : `; ${{ before: 'the old version is', after: 'the new version is', both: 'neither version is' }[file.unparsable]} not valid YAML`;
      lines.push(`~ ${file.path} (text differs${why})`);
    } else if (file.objects.length === 0) {
      lines.push(`~ ${file.path} (comments, formatting or key order only)`);
    } else {
      lines.push(`~ ${file.path}`);
      for (const object of file.objects) {
        const flatten = file.singleDocument && object.kind === 'changed';
        if (!flatten) lines.push(`  ${SIGN[object.kind]} ${object.objectKind === undefined ? '' : `${object.objectKind} `}${object.name}`);
        const indent = flatten ? '  ' : '    ';
        for (const field of object.fields) lines.push(`${indent}${formatField(field, max)}`);
      }
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function formatField(field: FieldChange, max: number): string {
  const path = field.path === '' ? '(whole document)' : field.path;
  switch (field.kind) {
    case 'added':
      return `+ ${path}: ${formatValue(field.after, max)}`;
    case 'removed':
      return `- ${path}: ${formatValue(field.before, max)}`;
    case 'changed':
      return `~ ${path}: ${formatValue(field.before, max)} → ${formatValue(field.after, max)}`;
  }
}

function formatValue(value: unknown, max: number): string {
  const text = JSON.stringify(toJson(value));
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * The diff as plain JSON data (for `-o json`): the same fields as the
 * TypeScript types, with absent optional fields left out.
 */
export function treeDiffToJson(diff: TreeDiff): { readonly files: readonly JsonValue[] } {
  return {
    files: diff.map((file): JsonValue => {
      if (file.kind !== 'changed') return { kind: file.kind, path: file.path };
      if (file.format === 'text') {
        return { kind: file.kind, path: file.path, format: file.format, ...(file.unparsable === undefined ? {} : { unparsable: file.unparsable }) };
      }
      return {
        kind: file.kind,
        path: file.path,
        format: file.format,
        singleDocument: file.singleDocument,
        objects: file.objects.map((o): JsonValue => ({
          kind: o.kind,
          ...(o.objectKind === undefined ? {} : { objectKind: o.objectKind }),
          name: o.name,
          ...(o.beforeName === undefined ? {} : { beforeName: o.beforeName }),
          ...(o.afterName === undefined ? {} : { afterName: o.afterName }),
          fields: o.fields.map((f): JsonValue => ({
            path: f.path,
            kind: f.kind,
            ...(f.kind === 'added' ? {} : { before: toJson(f.before) }),
            ...(f.kind === 'removed' ? {} : { after: toJson(f.after) }),
          })),
        })),
      };
    }),
  };
}

/**
 * A parsed YAML value as JSON. The core schema only yields JSON types, but
 * YAML numbers include .nan and .inf, which JSON cannot hold: those become
 * strings, as does anything unexpected, rather than silently null.
 */
function toJson(value: unknown): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return String(value);
}
