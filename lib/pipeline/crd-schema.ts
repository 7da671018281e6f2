/**
 * Validation of objects against the openAPIV3Schemas of real CRDs, with the
 * semantics of the Kubernetes API server rather than those of plain JSON
 * Schema: structural pruning reported as "unknown field" errors (what
 * `kubectl apply` does with strict field validation), nullable,
 * x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields,
 * x-kubernetes-embedded-resource, list-type set/map uniqueness, defaulting
 * before `required` is checked, and ObjectMeta validation of `metadata`.
 *
 * The walker is written by hand instead of translating the schemas for ajv:
 * Kubernetes decides which fields are known from the structural skeleton only
 * (anyOf/oneOf/allOf/not branches never make a field known), applies defaults
 * before validating, and validates `metadata` as ObjectMeta although the CRD
 * says only `type: object` there. Each of these needs the walk to carry its
 * own state, and the errors need exact JSON pointers.
 *
 * Not evaluated: `x-kubernetes-validations` (CEL rules). They need a CEL
 * interpreter with the Kubernetes CEL libraries; an object that passes here
 * can still be rejected by one of those rules.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { JSONSchemaProps } from '../../constructs/variable-schema.ts';
import { crdFileContents, isRecord, type CrdVersionInfo, type ServedVersion } from './crd-files.ts';
import { crdRoot } from './crd-root.ts';
import { canonicalJsonOfAny } from '../bytes/json.ts';

export type { CrdVersionInfo, JSONSchemaProps };

/** One validation failure. `path` is a JSON pointer ("" is the value itself). */
export class SchemaError {
  constructor(
    /** JSON pointer (RFC 6901) of the offending value, e.g. `/spec/template/spec/flavor`. */
    readonly path: string,
    readonly message: string,
    /** Caller-supplied context, e.g. the stack or file the object came from. */
    readonly where?: string,
    readonly kind?: string,
    readonly name?: string,
  ) {}

  /** `<where> <kind>/<metadata.name> at <path>: <message>`; absent parts are left out. */
  toString(): string {
    const subject = this.kind === undefined ? undefined : `${this.kind}/${this.name ?? '<unnamed>'}`;
    const prefix = [this.where, subject].filter((p) => p !== undefined && p !== '').join(' ');
    return `${prefix === '' ? '' : `${prefix} `}at ${this.path === '' ? '(root)' : this.path}: ${this.message}`;
  }
}

/**
 * The same apiVersion/kind served with different schemas by several loaded
 * CRD files (e.g. capi-v1.10.9 and capi-v1.13.5 both serve cluster.x-k8s.io/v1beta1).
 * `chosen` is the file validation uses, or undefined when no file wins.
 */
export interface CrdConflict {
  readonly apiVersion: string;
  readonly kind: string;
  readonly files: readonly string[];
  readonly chosen: string | undefined;
}

export interface CrdRegistryStats {
  readonly files: number;
  readonly crds: number;
  /** Served apiVersion/kind pairs that validation can look up. */
  readonly servedVersions: number;
  readonly parseMillis: number;
}

export interface CrdLoadOptions {
  /**
   * Read the build's parsed documents and summaries (lib/pipeline/crd-files.ts)
   * where they match a file's bytes; false parses every file.
   * @default true
   */
  readonly useBuildCache?: boolean;
}

/**
 * Schemas of every served version of every CRD in a set of folders, indexed by
 * apiVersion (`<group>/<version>`) and kind, compiled once at load.
 */
export class CrdSchemaRegistry {
  private readonly compiler = new Compiler();

  private constructor(
    private readonly byGvk: ReadonlyMap<string, Indexed>,
    private readonly servedByGroupKind: ReadonlyMap<string, readonly string[]>,
    /** Same apiVersion/kind with different schemas in several files; see {@link CrdConflict}. */
    readonly conflicts: readonly CrdConflict[],
    readonly stats: CrdRegistryStats,
  ) {}

  /**
   * Reads every `*.yaml` file (recursively) under `dirs`, default crdRoot()
   * (so all pinned releases). Relative dirs are resolved against crdRoot(),
   * so `load(['capi-v1.10.9', 'capo-v0.14.7'])` picks releases by folder name.
   * YAML documents that are not CustomResourceDefinitions are skipped.
   *
   * When several files serve the same apiVersion/kind with different schemas,
   * the file where that version is not deprecated wins, then the one where it
   * is the storage version: an API server runs one release, and a version is
   * best described by the release in which it is current. A remaining tie
   * makes lookups of that apiVersion/kind fail with an "ambiguous" error.
   */
  static load(dirs?: readonly string[], options: CrdLoadOptions = {}): CrdSchemaRegistry {
    const parseStart = process.hrtime.bigint();
    const roots = (dirs ?? [crdRoot()]).map((d) => (isAbsolute(d) ? d : resolve(crdRoot(), d)));
    const files = roots.flatMap((root) => {
      if (!existsSync(root)) {
        throw new Error(`CRD folder ${root} does not exist (set CLUSTER_STACK_CRDS to the CRD folder)`);
      }
      return yamlFilesUnder(root);
    });
    const candidates = new Map<string, ServedVersion[]>();
    const servedByGroupKind = new Map<string, string[]>();
    let crds = 0;
    for (const file of [...new Set(files)].sort()) {
      const contents = crdFileContents(file, options.useBuildCache ?? true);
      crds += contents.crds;
      for (const served of contents.versions) {
        const { info } = served;
        const key = gvkKey(info.apiVersion, info.kind);
        candidates.set(key, [...(candidates.get(key) ?? []), served]);
        const gk = groupKindKey(groupOf(info.apiVersion), info.kind);
        const servedVersions = servedByGroupKind.get(gk) ?? [];
        if (!servedVersions.includes(info.apiVersion)) servedVersions.push(info.apiVersion);
        servedByGroupKind.set(gk, servedVersions);
      }
    }
    // process.hrtime, not performance.now(): the `performance` global loads
    // perf_hooks on first use, a dozen of Node.js's modules compiled from
    // source once the CLI has set its V8 flags (bin/compiled.cjs), some
    // 2.5 ms of an incremental synth.
    const parseMillis = Number(process.hrtime.bigint() - parseStart) / 1e6;

    const byGvk = new Map<string, Indexed>();
    const conflicts: CrdConflict[] = [];
    for (const [key, infos] of candidates) {
      const resolved = pickCandidate(infos);
      if (resolved.conflict !== undefined) conflicts.push(resolved.conflict);
      byGvk.set(key, resolved.info === undefined ? { ambiguous: infos.map((i) => i.info.file) } : { info: resolved.info, root: undefined });
    }

    return new CrdSchemaRegistry(byGvk, servedByGroupKind, conflicts, { files: files.length, crds, servedVersions: byGvk.size, parseMillis });
  }

  /** Schema parts that cannot be checked here (e.g. a pattern JavaScript cannot compile), over every loaded schema. */
  get warnings(): readonly string[] {
    for (const entry of this.byGvk.values()) if ('info' in entry) this.compiler.compileAll(this.compiled(entry));
    return this.compiler.warnings;
  }

  private compiled(entry: Compiled): Node {
    if (entry.root === undefined) {
      // Compiled on its first lookup: a run validates a few kinds of the thirty-odd loaded.
      entry.root = this.compiler.compile(entry.info.schema ?? PRESERVE_ALL);
    }
    return entry.root;
  }

  /** The CRD version validation uses for apiVersion/kind, if exactly one is known. */
  describe(apiVersion: string, kind: string): CrdVersionInfo | undefined {
    const entry = this.byGvk.get(gvkKey(apiVersion, kind));
    return entry !== undefined && 'info' in entry ? entry.info : undefined;
  }

  /** Every `<apiVersion> <kind>` that can be looked up, sorted. */
  kinds(): string[] {
    return [...this.byGvk.keys()].map((k) => k.replace('\u0000', ' ')).sort();
  }

  /**
   * Validates a whole Kubernetes object: looks up its CRD by apiVersion/kind
   * and checks it the way the API server would on create. `where` only
   * prefixes the messages (e.g. the stack or file the object came from).
   */
  validate(obj: unknown, where?: string): SchemaError[] {
    const kind = isRecord(obj) && typeof obj.kind === 'string' ? obj.kind : undefined;
    const metadata = isRecord(obj) ? obj.metadata : undefined;
    const name = isRecord(metadata) && typeof metadata.name === 'string' ? metadata.name : undefined;
    const issues = this.issuesOf(obj);
    return issues.map((i) => new SchemaError(i.path, i.message, where, kind ?? '<no kind>', name));
  }

  /** Same as the module function {@link validateValue}; here for discoverability. */
  validateValue(schema: JSONSchemaProps, value: unknown, where?: string): SchemaError[] {
    return validateValue(schema, value, where);
  }

  private issuesOf(obj: unknown): Issue[] {
    if (!isRecord(obj)) return [{ path: '', message: `must be a Kubernetes object (a JSON object), got ${jsonTypeOf(obj)}` }];
    const issues: Issue[] = [];
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== 'string' || apiVersion === '') issues.push({ path: '/apiVersion', message: 'required field "apiVersion" is missing or not a non-empty string' });
    if (typeof kind !== 'string' || kind === '') issues.push({ path: '/kind', message: 'required field "kind" is missing or not a non-empty string' });
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || issues.length > 0) return issues;

    const entry = this.byGvk.get(gvkKey(apiVersion, kind));
    if (entry === undefined) {
      const served = this.servedByGroupKind.get(groupKindKey(groupOf(apiVersion), kind));
      const hint = served === undefined ? '' : ` (served versions of ${kind}: ${served.join(', ')})`;
      return [{ path: '', message: `no CRD for ${apiVersion} ${kind}${hint}` }];
    }
    if (!('info' in entry)) {
      return [{
        path: '',
        message: `ambiguous: ${apiVersion} ${kind} is served with different schemas by ${entry.ambiguous.map(crdFileLabel).join(' and ')}; load the registry from one of their folders only`,
      }];
    }
    walk(this.compiled(entry), obj, '', contextFor(issues), true, undefined, { namespaced: entry.info.namespaced });
    return issues;
  }
}

/**
 * Validates any value against a Kubernetes-style openAPIV3Schema with the same
 * semantics as {@link CrdSchemaRegistry.validate} (unknown fields, nullable,
 * int-or-string, defaults count as present, ...), e.g. a ClusterClass
 * variable's default or example against the variable's own schema.
 * Compiled schemas are cached per schema object.
 */
export function validateValue(schema: JSONSchemaProps, value: unknown, where?: string): SchemaError[] {
  if (!isRecord(schema)) throw new TypeError(`validateValue: schema must be an object, got ${jsonTypeOf(schema)}`);
  const issues: Issue[] = [];
  walk(sharedCompiler.compile(schema), value, '', contextFor(issues), true, undefined, undefined);
  return issues.map((i) => new SchemaError(i.path, i.message, where));
}

// ---------------------------------------------------------------------------
// Loading

/** A served version; its schema is compiled on first use. */
interface Compiled {
  readonly info: CrdVersionInfo;
  root: Node | undefined;
}

type Indexed = Compiled | { readonly ambiguous: readonly string[] };

const PRESERVE_ALL: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}\u0000${kind}`;
}

function groupKindKey(group: string, kind: string): string {
  return `${group}\u0000${kind}`;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function yamlFilesUnder(dir: string): string[] {
  if (statSync(dir).isFile()) return dir.endsWith('.yaml') ? [dir] : [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFilesUnder(path);
    return entry.isFile() && entry.name.endsWith('.yaml') ? [path] : [];
  });
}

function pickCandidate(candidates: readonly ServedVersion[]): { info: CrdVersionInfo | undefined; conflict?: CrdConflict } {
  const infos = candidates.map((c) => c.info);
  const first = infos[0];
  if (first === undefined || infos.length === 1) return { info: first };
  const distinct: CrdVersionInfo[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const key = candidate.schemaKey();
    if (seen.has(key)) continue;
    seen.add(key);
    distinct.push(candidate.info);
  }
  if (distinct.length === 1) return { info: first };
  const rank = (i: CrdVersionInfo): number => (i.deprecated ? 0 : 2) + (i.storage ? 1 : 0);
  const best = Math.max(...distinct.map(rank));
  const winners = distinct.filter((i) => rank(i) === best);
  const info = winners.length === 1 ? winners[0] : undefined;
  return {
    info,
    conflict: { apiVersion: first.apiVersion, kind: first.kind, files: infos.map((i) => i.file), chosen: info?.file },
  };
}

// ---------------------------------------------------------------------------
// Compilation: each schema node becomes a Node with its keywords checked,
// converted and its regular expression built once.

type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
const JSON_TYPES: ReadonlySet<string> = new Set<JsonType>(['object', 'array', 'string', 'integer', 'number', 'boolean']);

function isJsonType(x: unknown): x is JsonType {
  return typeof x === 'string' && JSON_TYPES.has(x);
}

interface Node {
  type: JsonType | undefined;
  intOrString: boolean;
  nullable: boolean;
  hasDefault: boolean;
  defaultValue: unknown;
  preserveUnknown: boolean;
  embedded: boolean;
  props: Properties | undefined;
  /** A schema for map values, or true for "any value" (additionalProperties: true). */
  additional: Node | true | undefined;
  items: Node | undefined;
  required: readonly string[];
  enumValues: readonly unknown[] | undefined;
  pattern: { readonly source: string; readonly re: RegExp } | undefined;
  format: { readonly name: string; readonly check: (s: string) => boolean } | undefined;
  intBits: 32 | 64 | undefined;
  minimum: number | undefined;
  maximum: number | undefined;
  exclusiveMinimum: boolean;
  exclusiveMaximum: boolean;
  multipleOf: number | undefined;
  minLength: number | undefined;
  maxLength: number | undefined;
  minItems: number | undefined;
  maxItems: number | undefined;
  uniqueItems: boolean;
  minProperties: number | undefined;
  maxProperties: number | undefined;
  listType: 'set' | 'map' | undefined;
  listMapKeys: readonly string[];
  allOf: Node[] | undefined;
  anyOf: Node[] | undefined;
  oneOf: Node[] | undefined;
  not: Node | undefined;
}

class Compiler {
  private readonly cache = new WeakMap<object, Node>();
  private readonly regexps = new Map<string, RegExp | undefined>();
  readonly warnings: string[] = [];

  compile(schema: Readonly<Record<string, unknown>>): Node {
    const cached = this.cache.get(schema);
    if (cached !== undefined) return cached;
    const s = schema;
    const node: Node = {
      type: isJsonType(s.type) ? s.type : undefined,
      intOrString: s['x-kubernetes-int-or-string'] === true,
      nullable: s.nullable === true,
      hasDefault: 'default' in s && s.default !== undefined,
      defaultValue: s.default,
      preserveUnknown: s['x-kubernetes-preserve-unknown-fields'] === true,
      embedded: s['x-kubernetes-embedded-resource'] === true,
      props: undefined,
      additional: undefined,
      items: undefined,
      required: stringArray(s.required),
      enumValues: Array.isArray(s.enum) ? s.enum : undefined,
      pattern: undefined,
      format: undefined,
      intBits: s.format === 'int32' ? 32 : s.format === 'int64' ? 64 : undefined,
      minimum: num(s.minimum),
      maximum: num(s.maximum),
      exclusiveMinimum: s.exclusiveMinimum === true,
      exclusiveMaximum: s.exclusiveMaximum === true,
      multipleOf: num(s.multipleOf),
      minLength: num(s.minLength),
      maxLength: num(s.maxLength),
      minItems: num(s.minItems),
      maxItems: num(s.maxItems),
      uniqueItems: s.uniqueItems === true,
      minProperties: num(s.minProperties),
      maxProperties: num(s.maxProperties),
      listType: s['x-kubernetes-list-type'] === 'set' || s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-type'] : undefined,
      listMapKeys: stringArray(s['x-kubernetes-list-map-keys']),
      allOf: undefined,
      anyOf: undefined,
      oneOf: undefined,
      not: undefined,
    };
    // Cached before the children so that a schema reaching itself (YAML aliases) terminates.
    this.cache.set(schema, node);

    if (isRecord(s.properties)) node.props = new Properties(s.properties, this);
    if (s.additionalProperties === true) node.additional = true;
    else if (isRecord(s.additionalProperties)) node.additional = this.compile(s.additionalProperties);
    if (isRecord(s.items)) node.items = this.compile(s.items);
    for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = s[junctor];
      if (Array.isArray(list)) node[junctor] = list.filter(isRecord).map((b) => this.compile(b));
    }
    if (isRecord(s.not)) node.not = this.compile(s.not);
    if (typeof s.pattern === 'string') {
      const re = this.regexp(s.pattern);
      if (re !== undefined) node.pattern = { source: s.pattern, re };
    }
    if (typeof s.format === 'string') {
      // Kubernetes normalises format names the way go-openapi does (dashes
      // dropped) and ignores formats it does not support.
      const name = s.format.replaceAll('-', '');
      const check = STRING_FORMATS.get(name);
      if (check !== undefined) node.format = { name: s.format, check };
    }
    return node;
  }

  /** Compiles every node below `root` that is not compiled yet (Properties compiles on lookup), so that `warnings` covers the whole schema. */
  compileAll(root: Node): void {
    const seen = new Set<Node>();
    const visit = (n: Node): void => {
      if (seen.has(n)) return;
      seen.add(n);
      for (const key of n.props?.keys() ?? []) visit(n.props?.get(key) as Node);
      for (const child of [n.additional, n.items, n.not, ...(n.allOf ?? []), ...(n.anyOf ?? []), ...(n.oneOf ?? [])]) if (typeof child === 'object') visit(child);
    };
    visit(root);
  }

  /**
   * Kubernetes patterns are Go RE2 syntax. Most of it is valid JavaScript; the
   * leading inline flags and \A \z anchors are translated, and anything else
   * JavaScript cannot compile is reported as a warning and not checked.
   */
  private regexp(pattern: string): RegExp | undefined {
    if (this.regexps.has(pattern)) return this.regexps.get(pattern);
    let re: RegExp | undefined;
    let source = pattern;
    let flags = '';
    const inline = /^\(\?([imsU]+)\)/.exec(source);
    if (inline?.[1] !== undefined && !inline[1].includes('U')) {
      flags = inline[1];
      source = source.slice(inline[0].length);
    }
    source = source.replace(/^\\A/, '^').replace(/\\z$/, '$');
    for (const f of [`${flags}u`, flags]) {
      try {
        re = new RegExp(source, f);
        break;
      } catch {
        // Unicode mode rejects some escapes that Go accepts; retry without it.
      }
    }
    if (re === undefined) this.warnings.push(`pattern ${JSON.stringify(pattern)} cannot be compiled in JavaScript; not checked`);
    this.regexps.set(pattern, re);
    return re;
  }
}

const sharedCompiler = new Compiler();

/**
 * The properties of an object schema, each compiled on its first lookup.
 * A Cluster API template's schema has thousands of properties and an
 * object sets a few of them: compiling every one up front was most of the
 * time a short command spent on validation.
 */
class Properties {
  private readonly nodes = new Map<string, Node | undefined>();
  private names: readonly string[] | undefined;

  public constructor(
    private readonly schemas: Readonly<Record<string, unknown>>,
    private readonly compiler: Compiler,
  ) {}

  /** The property's node; undefined when the schema has no such property (own, an object). */
  public get(key: string): Node | undefined {
    let node = this.nodes.get(key);
    if (node === undefined && !this.nodes.has(key)) {
      // Own properties only: a key such as "__proto__" or "constructor" names no inherited value.
      const sub = Object.hasOwn(this.schemas, key) ? this.schemas[key] : undefined;
      node = isRecord(sub) ? this.compiler.compile(sub) : undefined;
      this.nodes.set(key, node);
    }
    return node;
  }

  /** The names of the properties that have a schema, in schema order. */
  public keys(): readonly string[] {
    this.names ??= Object.keys(this.schemas).filter((k) => isRecord(this.schemas[k]));
    return this.names;
  }
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

function stringArray(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((e): e is string => typeof e === 'string') : [];
}

// ---------------------------------------------------------------------------
// String formats: the ones Kubernetes validates (apiextensions-apiserver
// pkg/apiserver/validation/formats.go, checked by go-openapi/strfmt), keyed
// by the dash-less name. isbn, isbn10, isbn13, creditcard and ssn are
// Kubernetes formats too but are not implemented, so they are ignored.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAC = /^(?:[0-9a-f]{2}(?:([:-])[0-9a-f]{2})(?:\1[0-9a-f]{2}){4}(?:(?:\1[0-9a-f]{2}){2}|(?:\1[0-9a-f]{2}){14})?|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}(?:\.[0-9a-f]{4}(?:\.[0-9a-f]{4}){5})?)$/i;
const HOSTNAME_LABEL = /^[\p{L}\p{N}\p{S}](?:[\p{L}\p{N}\p{S}-]{0,61}[\p{L}\p{N}\p{S}])?$/u;
// The micro signs are escapes (U+00B5 micro sign, U+03BC Greek mu), not the
// characters: esbuild copies a regular expression literal as written, and a
// single non-ASCII character makes V8 hold the whole compiled CLI as a
// two-byte string, decoded on the slow path on every start.
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/;
const UNIT_DURATION = /^(?:\s*\d+\s*(?:ns|us|\u00b5s|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)\s*)+$/i;
const RGB_PART = '\\s*(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\s*';
const RGB = new RegExp(`^rgb\\(${RGB_PART},${RGB_PART},${RGB_PART}\\)$`);

function validDate(y: string | undefined, m: string | undefined, d: string | undefined): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

function validDateTime(s: string): boolean {
  const m = RFC3339.exec(s);
  if (m === null || !validDate(m[1], m[2], m[3])) return false;
  return Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
}

function validUri(s: string): boolean {
  // Go's url.ParseRequestURI: an absolute URI or an absolute path, no
  // whitespace or control characters, only well-formed percent escapes.
  if (/[\s\u0000-\u001f\u007f]/.test(s) || /%(?![0-9A-Fa-f]{2})/.test(s)) return false;
  return s.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s);
}

/**
 * node:net's address parsers, required on first use: loading node:net costs
 * 2.3 ms (unless a standard stream is a pipe, which loads it anyway), and
 * the objects of many stacks hold no address.
 */
let netModule: typeof import('node:net') | undefined;
const net = (): typeof import('node:net') => (netModule ??= createRequire(import.meta.url)('node:net') as typeof import('node:net'));

function validCidr(s: string): boolean {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  const family = net().isIP(ip);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function validHostname(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  return s.replace(/\.$/, '').split('.').every((label) => HOSTNAME_LABEL.test(label));
}

const STRING_FORMATS: ReadonlyMap<string, (s: string) => boolean> = new Map<string, (s: string) => boolean>([
  ['bsonobjectid', (s) => /^[0-9a-fA-F]{24}$/.test(s)],
  ['uri', validUri],
  ['email', (s) => /^[^\s@<>]+@[^\s@<>]+$/.test(s) || /^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(s)],
  ['hostname', validHostname],
  // Go's net.ParseIP; strfmt tells the families apart by '.' and ':'.
  ['ipv4', (s) => net().isIPv4(s) || (net().isIPv6(s) && !s.includes('%') && s.includes('.'))],
  ['ipv6', (s) => net().isIP(s) !== 0 && !s.includes('%') && s.includes(':')],
  ['cidr', validCidr],
  ['mac', (s) => MAC.test(s)],
  ['uuid', (s) => UUID.test(s)],
  ['uuid3', (s) => UUID3.test(s)],
  ['uuid4', (s) => UUID4.test(s)],
  ['uuid5', (s) => UUID5.test(s)],
  ['hexcolor', (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s)],
  ['rgbcolor', (s) => RGB.test(s)],
  ['byte', (s) => BASE64.test(s.replace(/[\r\n]/g, ''))],
  ['password', () => true],
  ['date', (s) => {
    const m = FULL_DATE.exec(s);
    return m !== null && validDate(m[1], m[2], m[3]);
  }],
  ['duration', (s) => GO_DURATION.test(s) || UNIT_DURATION.test(s)],
  ['datetime', validDateTime],
]);

const INT_RANGE: Readonly<Record<32 | 64, readonly [number, number]>> = {
  32: [-(2 ** 31), 2 ** 31 - 1],
  64: [-(2 ** 63), 2 ** 63 - 1],
};

// ---------------------------------------------------------------------------
// The walk

interface Issue {
  readonly path: string;
  readonly message: string;
}

interface Ctx {
  readonly issues: Issue[];
  /** Adds to `issues`; made once per validation, not per node. */
  readonly issue: Report;
}

function contextFor(issues: Issue[]): Ctx {
  return { issues, issue: (path, message) => void issues.push({ path, message }) };
}

/** Set only for the object being validated as a whole, whose metadata is ObjectMeta. */
interface ResourceRoot {
  readonly namespaced: boolean;
}

/**
 * Validates `value` against `n`, appending to ctx.issues.
 *
 * `structural` is true on the structural skeleton, where unknown fields are
 * errors and embedded resources and nullable apply. Inside allOf/anyOf/oneOf/not
 * it is false: Kubernetes uses those branches as value validations only, so a
 * property they name never makes an unknown field known, and fields they do
 * not name are not errors there. `skeleton` is the structural node at the same
 * place, so that defaults from the skeleton count inside branches too.
 */
function walk(n: Node, value: unknown, path: string, ctx: Ctx, structural: boolean, skeleton: Node | undefined, root: ResourceRoot | undefined): void {
  const issue = ctx.issue;
  if (value === null) {
    // An untyped node (x-kubernetes-preserve-unknown-fields without a type, or
    // a branch that only lists `required`) has no type for null to violate.
    if (n.nullable || (n.type === undefined && !n.intOrString)) return;
    // For a property this is stricter than the API server, which silently
    // drops a non-nullable null (PruneNonNullableNullsWithoutDefaults); from a
    // generator such a null is a bug either way. In list items and map values
    // the API server rejects it too.
    issue(path, `must be ${typeDescription(n)}, got null${structural ? ' (the field is not nullable)' : ''}`);
    return;
  }
  const t = jsonTypeOf(value);
  if (!JSON_TYPES.has(t)) {
    issue(path, `must be a JSON value, got ${t}`);
    return;
  }
  if (n.intOrString) {
    if (t !== 'integer' && t !== 'string') {
      issue(path, `must be an integer or a string, got ${t}`);
      return;
    }
  } else if (n.type !== undefined && n.type !== t && !(n.type === 'number' && t === 'integer')) {
    issue(path, `must be of type ${n.type}, got ${t}`);
    return;
  }

  if (n.enumValues !== undefined && !n.enumValues.some((e) => deepEqual(e, value))) {
    issue(path, `unsupported value ${show(value)}: supported values: ${n.enumValues.map(show).join(', ')}`);
  }

  if (typeof value === 'string') checkString(n, value, path, issue);
  else if (typeof value === 'number') checkNumber(n, value, t, path, issue);
  else if (Array.isArray(value)) {
    checkArray(n, value, path, issue);
    if (n.items !== undefined) {
      const items = n.items;
      const skelItems = structural ? items : skeleton?.items;
      value.forEach((item, i) => {
        if (item === undefined) issue(`${path}/${i}`, 'must be a JSON value, got undefined');
        else walk(items, item, `${path}/${i}`, ctx, structural, skelItems, undefined);
      });
    }
  } else if (isRecord(value)) {
    checkObject(n, value, path, ctx, structural, skeleton, root, issue);
  }

  const here = structural ? n : skeleton;
  if (n.allOf !== undefined) {
    for (const branch of n.allOf) walk(branch, value, path, ctx, false, here, undefined);
  }
  if (n.anyOf !== undefined && n.anyOf.length > 0) {
    const results = n.anyOf.map((branch) => branchIssues(branch, value, path, here));
    if (!results.some((r) => r.length === 0)) {
      issue(path, `must match at least one schema of anyOf: ${summarize(results, path)}`);
    }
  }
  if (n.oneOf !== undefined && n.oneOf.length > 0) {
    const results = n.oneOf.map((branch) => branchIssues(branch, value, path, here));
    const matching = results.flatMap((r, i) => (r.length === 0 ? [i] : []));
    if (matching.length === 0) issue(path, `must match exactly one schema of oneOf, matches none: ${summarize(results, path)}`);
    else if (matching.length > 1) issue(path, `must match exactly one schema of oneOf, matches ${matching.map((i) => `#${i}`).join(' and ')}`);
  }
  if (n.not !== undefined && branchIssues(n.not, value, path, here).length === 0) {
    issue(path, 'must not match the schema under "not"');
  }
}

function branchIssues(branch: Node, value: unknown, path: string, skeleton: Node | undefined): Issue[] {
  const ctx = contextFor([]);
  walk(branch, value, path, ctx, false, skeleton, undefined);
  return ctx.issues;
}

function summarize(results: readonly (readonly Issue[])[], path: string): string {
  return results
    .map((r, i) => {
      const first = r[0];
      if (first === undefined) return `#${i}: ok`;
      const where = first.path === path ? '' : ` at ${first.path}`;
      return `#${i}${where}: ${first.message}`;
    })
    .join('; ');
}

type Report = (path: string, message: string) => void;

function checkString(n: Node, value: string, path: string, issue: Report): void {
  // Go counts runes, JavaScript's length counts UTF-16 units: the same
  // number unless the string holds a surrogate pair.
  const length = n.minLength !== undefined || n.maxLength !== undefined ? runeCount(value) : 0;
  if (n.minLength !== undefined && length < n.minLength) issue(path, `must be at least ${n.minLength} characters long, got ${length}`);
  if (n.maxLength !== undefined && length > n.maxLength) issue(path, `must be at most ${n.maxLength} characters long, got ${length}`);
  if (n.pattern !== undefined && !n.pattern.re.test(value)) issue(path, `must match pattern '${n.pattern.source}', got ${show(value)}`);
  if (n.format !== undefined && !n.format.check(value)) issue(path, `must be in format ${n.format.name}, got ${show(value)}`);
}

const SURROGATE = /[\uD800-\uDFFF]/;

function runeCount(value: string): number {
  return SURROGATE.test(value) ? [...value].length : value.length;
}

function checkNumber(n: Node, value: number, t: string, path: string, issue: Report): void {
  if (n.minimum !== undefined && (n.exclusiveMinimum ? value <= n.minimum : value < n.minimum)) {
    issue(path, `must be ${n.exclusiveMinimum ? 'greater than' : 'greater than or equal to'} ${n.minimum}, got ${value}`);
  }
  if (n.maximum !== undefined && (n.exclusiveMaximum ? value >= n.maximum : value > n.maximum)) {
    issue(path, `must be ${n.exclusiveMaximum ? 'less than' : 'less than or equal to'} ${n.maximum}, got ${value}`);
  }
  if (n.multipleOf !== undefined && n.multipleOf > 0) {
    const q = value / n.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) issue(path, `must be a multiple of ${n.multipleOf}, got ${value}`);
  }
  // The API server ignores int32/int64 formats, but the controller's typed
  // decoder fails on a value that does not fit, so the object is unusable.
  if (n.intBits !== undefined && t === 'integer') {
    const [lo, hi] = INT_RANGE[n.intBits];
    if (value < lo || value > hi) issue(path, `must fit in int${n.intBits} (format int${n.intBits}), got ${value}`);
  }
}

function checkArray(n: Node, value: readonly unknown[], path: string, issue: Report): void {
  if (n.minItems !== undefined && value.length < n.minItems) issue(path, `must have at least ${n.minItems} items, got ${value.length}`);
  if (n.maxItems !== undefined && value.length > n.maxItems) issue(path, `must have at most ${n.maxItems} items, got ${value.length}`);
  if (n.listType === 'map' && n.listMapKeys.length > 0) {
    const keys = n.listMapKeys;
    const seen = new Map<string, number>();
    value.forEach((item, i) => {
      if (!isRecord(item)) return;
      // Missing keys take their default, as the API server defaults before it checks.
      const tuple = keys.map((k) => item[k] ?? n.items?.props?.get(k)?.defaultValue);
      const key = canonicalJsonOfAny(tuple);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else issue(`${path}/${i}`, `duplicate entry: ${keys.map((k, j) => `${k}=${show(tuple[j])}`).join(', ')} is also item ${first} (x-kubernetes-list-type: map)`);
    });
  } else if (n.listType === 'set' || n.uniqueItems) {
    const seen = new Map<string, number>();
    value.forEach((item, i) => {
      const key = canonicalJsonOfAny(item);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else issue(`${path}/${i}`, `duplicate value ${show(item)}: also item ${first} (${n.listType === 'set' ? 'x-kubernetes-list-type: set' : 'uniqueItems'})`);
    });
  }
}

function checkObject(
  n: Node,
  value: Readonly<Record<string, unknown>>,
  path: string,
  ctx: Ctx,
  structural: boolean,
  skeleton: Node | undefined,
  root: ResourceRoot | undefined,
  issue: Report,
): void {
  // Defaults are applied before validation: a missing field with a default is there.
  for (const key of n.required) {
    if (!present(value, key) && !defaulted(n, skeleton, key)) issue(`${path}/${escapePointer(key)}`, `required field "${key}" is missing`);
  }
  if (n.minProperties !== undefined || n.maxProperties !== undefined) {
    const count = new Set([...Object.keys(value).filter((k) => present(value, k)), ...(n.props?.keys() ?? []).filter((k) => defaulted(n, skeleton, k))]).size;
    if (n.minProperties !== undefined && count < n.minProperties) issue(path, `must have at least ${n.minProperties} properties, got ${count}`);
    if (n.maxProperties !== undefined && count > n.maxProperties) issue(path, `must have at most ${n.maxProperties} properties, got ${count}`);
  }

  const embedded = structural && (root !== undefined || n.embedded);
  if (embedded) checkTypeMeta(value, path, root !== undefined, issue);
  if (root !== undefined && !present(value, 'metadata')) issue(`${path}/metadata`, 'required field "metadata" is missing (name or generateName is required)');

  // Keys, not entries: no pair array per property of every object validated.
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (child === undefined) continue; // absent once serialised to JSON
    const childPath = `${path}/${escapePointer(key)}`;
    const sub = n.props?.get(key);
    if (embedded && key === 'metadata') {
      checkObjectMeta(child, childPath, root, issue);
      // A CRD may constrain metadata (e.g. name's maxLength); its fields stay ObjectMeta's.
      if (sub !== undefined && isRecord(child)) walk(sub, child, childPath, ctx, false, undefined, undefined);
      continue;
    }
    if (sub !== undefined) {
      // A non-nullable null with a default is replaced by the default.
      if (child === null && !sub.nullable && sub.hasDefault) continue;
      walk(sub, child, childPath, ctx, structural, structural ? sub : skeleton?.props?.get(key), undefined);
    } else if (typeof n.additional === 'object') {
      const skelAdditional = structural ? n.additional : skeleton?.additional;
      walk(n.additional, child, childPath, ctx, structural, typeof skelAdditional === 'object' ? skelAdditional : undefined, undefined);
    } else if (embedded && (key === 'apiVersion' || key === 'kind')) {
      continue; // checked by checkTypeMeta
    } else if (structural && n.additional !== true && !n.preserveUnknown) {
      issue(childPath, `unknown field "${key}"`);
    }
  }
}

function present(value: Readonly<Record<string, unknown>>, key: string): boolean {
  return Object.hasOwn(value, key) && value[key] !== undefined;
}

function defaulted(n: Node, skeleton: Node | undefined, key: string): boolean {
  return n.props?.get(key)?.hasDefault === true || skeleton?.props?.get(key)?.hasDefault === true;
}

// ---------------------------------------------------------------------------
// TypeMeta and ObjectMeta of the validated object and of embedded resources.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

function dnsSubdomainProblem(s: string): string | undefined {
  if (s.length > 253) return `must be no more than 253 characters, got ${s.length}`;
  if (!DNS1123_SUBDOMAIN.test(s)) return "must be a lowercase RFC 1123 subdomain: lowercase alphanumerics, '-' and '.', starting and ending with an alphanumeric";
  return undefined;
}

function dnsLabelProblem(s: string): string | undefined {
  if (s.length > 63) return `must be no more than 63 characters, got ${s.length}`;
  if (!DNS1123_LABEL.test(s)) return "must be a lowercase RFC 1123 label: lowercase alphanumerics and '-', starting and ending with an alphanumeric";
  return undefined;
}

function qualifiedNameProblem(s: string): string | undefined {
  const parts = s.split('/');
  if (parts.length > 2) return "must be a qualified name: an optional DNS subdomain prefix and '/', then a name";
  const name = parts.length === 2 ? parts[1] ?? '' : s;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix === '') return 'prefix part must be non-empty';
    const p = dnsSubdomainProblem(prefix);
    if (p !== undefined) return `prefix part ${p}`;
  }
  if (name.length === 0 || name.length > 63) return 'name part must be 1 to 63 characters';
  if (!QUALIFIED_NAME_PART.test(name)) return "name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  return undefined;
}

function checkTypeMeta(value: Readonly<Record<string, unknown>>, path: string, isRoot: boolean, issue: Report): void {
  if (isRoot) return; // the registry looked the object up by these two already
  const { apiVersion, kind } = value;
  if (apiVersion === undefined) issue(`${path}/apiVersion`, 'required field "apiVersion" is missing');
  else if (typeof apiVersion !== 'string' || apiVersion === '') issue(`${path}/apiVersion`, `must be a non-empty string, got ${show(apiVersion)}`);
  else if (apiVersion.split('/').length > 2) issue(`${path}/apiVersion`, `must be <version> or <group>/<version>, got ${show(apiVersion)}`);
  if (kind === undefined) issue(`${path}/kind`, 'required field "kind" is missing');
  else if (typeof kind !== 'string' || kind === '') issue(`${path}/kind`, `must be a non-empty string, got ${show(kind)}`);
  else if (kind.length > 63 || !DNS1035_LABEL.test(kind.toLowerCase())) issue(`${path}/kind`, `may have mixed case, but must otherwise be an RFC 1035 label, got ${show(kind)}`);
}

const OBJECT_META_FIELDS: ReadonlySet<string> = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation',
  'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations',
  'ownerReferences', 'finalizers', 'managedFields',
]);

const OWNER_REFERENCE_FIELDS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion']);

/**
 * A subset of apimachinery's ValidateObjectMeta. The name of the object itself
 * must be a DNS-1123 subdomain (what the API server requires of custom
 * resources); an embedded resource's name only has to be a path segment.
 * Typed decoding turns null into the zero value, so null is accepted.
 */
function checkObjectMeta(meta: unknown, path: string, root: ResourceRoot | undefined, issue: Report): void {
  if (meta === null) {
    if (root !== undefined) issue(`${path}/name`, 'name or generateName is required');
    return;
  }
  if (!isRecord(meta)) {
    issue(path, `must be of type object, got ${jsonTypeOf(meta)}`);
    return;
  }
  const at = (key: string): string => `${path}/${escapePointer(key)}`;
  const str = (key: string): string | undefined => {
    const v = meta[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      issue(at(key), `must be of type string, got ${jsonTypeOf(v)}`);
      return undefined;
    }
    return v;
  };

  for (const key of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(key) && meta[key] !== undefined) issue(at(key), `unknown field "${key}" (metadata is ObjectMeta)`);
  }

  const name = str('name');
  const generateName = str('generateName');
  if (root !== undefined) {
    if ((name ?? '') === '' && (generateName ?? '') === '') issue(at('name'), 'name or generateName is required');
    if (name !== undefined && name !== '') {
      const p = dnsSubdomainProblem(name);
      if (p !== undefined) issue(at('name'), `invalid name ${show(name)}: ${p}`);
    }
    if (generateName !== undefined && generateName !== '') {
      // A generated name appends a suffix, so a trailing dash is fine.
      const p = dnsSubdomainProblem(generateName.replace(/-$/, 'a'));
      if (p !== undefined) issue(at('generateName'), `invalid generateName ${show(generateName)}: ${p}`);
    }
  } else if (name !== undefined && name !== '') {
    if (name === '.' || name === '..' || name.includes('/') || name.includes('%')) {
      issue(at('name'), `invalid name ${show(name)}: must not be '.' or '..' and must not contain '/' or '%'`);
    }
  }

  const namespace = str('namespace');
  if (namespace !== undefined && namespace !== '') {
    if (root !== undefined && !root.namespaced) issue(at('namespace'), `not allowed: the resource is cluster-scoped, got ${show(namespace)}`);
    else {
      const p = dnsLabelProblem(namespace);
      if (p !== undefined) issue(at('namespace'), `invalid namespace ${show(namespace)}: ${p}`);
    }
  }
  for (const key of ['uid', 'resourceVersion', 'selfLink']) str(key);
  for (const key of ['creationTimestamp', 'deletionTimestamp']) {
    const v = str(key);
    if (v !== undefined && !validDateTime(v)) issue(at(key), `must be an RFC 3339 date-time, got ${show(v)}`);
  }
  for (const key of ['generation', 'deletionGracePeriodSeconds']) {
    const v = meta[key];
    if (v !== undefined && v !== null && jsonTypeOf(v) !== 'integer') issue(at(key), `must be of type integer, got ${jsonTypeOf(v)}`);
  }

  stringMap(meta.labels, at('labels'), issue, (k, v, kAt) => {
    const kp = qualifiedNameProblem(k);
    if (kp !== undefined) issue(kAt, `invalid label key ${show(k)}: ${kp}`);
    if (v.length > 63 || !LABEL_VALUE.test(v)) {
      issue(kAt, `invalid label value ${show(v)}: must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`);
    }
  });
  let annotationBytes = 0;
  stringMap(meta.annotations, at('annotations'), issue, (k, v, kAt) => {
    annotationBytes += Buffer.byteLength(k) + Buffer.byteLength(v);
    const kp = qualifiedNameProblem(k.toLowerCase());
    if (kp !== undefined) issue(kAt, `invalid annotation key ${show(k)}: ${kp}`);
  });
  if (annotationBytes > ANNOTATIONS_MAX_BYTES) issue(at('annotations'), `annotations may not exceed ${ANNOTATIONS_MAX_BYTES} bytes, got ${annotationBytes}`);

  const finalizers = meta.finalizers;
  if (finalizers !== undefined && finalizers !== null) {
    if (!Array.isArray(finalizers)) issue(at('finalizers'), `must be of type array, got ${jsonTypeOf(finalizers)}`);
    else {
      finalizers.forEach((f, i) => {
        if (typeof f !== 'string') issue(`${at('finalizers')}/${i}`, `must be of type string, got ${jsonTypeOf(f)}`);
        else {
          const p = qualifiedNameProblem(f);
          if (p !== undefined) issue(`${at('finalizers')}/${i}`, `invalid finalizer ${show(f)}: ${p}`);
        }
      });
    }
  }
  checkOwnerReferences(meta.ownerReferences, at('ownerReferences'), issue);
  const managedFields = meta.managedFields;
  if (managedFields !== undefined && managedFields !== null && !Array.isArray(managedFields)) {
    issue(at('managedFields'), `must be of type array, got ${jsonTypeOf(managedFields)}`);
  }
}

/** Checks a map of strings, calling `entry` for each string value in key order. */
function stringMap(value: unknown, path: string, issue: Report, entry: (key: string, value: string, at: string) => void): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) {
    issue(path, `must be a map of strings, got ${jsonTypeOf(value)}`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const at = `${path}/${escapePointer(k)}`;
    if (v === undefined) continue;
    if (typeof v === 'string') entry(k, v, at);
    else issue(at, `must be of type string, got ${jsonTypeOf(v)}`);
  }
}

function checkOwnerReferences(value: unknown, path: string, issue: Report): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    issue(path, `must be of type array, got ${jsonTypeOf(value)}`);
    return;
  }
  let controllers = 0;
  value.forEach((ref, i) => {
    const at = `${path}/${i}`;
    if (!isRecord(ref)) {
      issue(at, `must be of type object, got ${jsonTypeOf(ref)}`);
      return;
    }
    for (const key of Object.keys(ref)) {
      if (!OWNER_REFERENCE_FIELDS.has(key)) issue(`${at}/${escapePointer(key)}`, `unknown field "${key}"`);
    }
    for (const key of ['apiVersion', 'kind', 'name', 'uid']) {
      const v = ref[key];
      if (typeof v !== 'string' || v === '') issue(`${at}/${key}`, v === undefined ? `required field "${key}" is missing` : `must be a non-empty string, got ${show(v)}`);
    }
    for (const key of ['controller', 'blockOwnerDeletion']) {
      const v = ref[key];
      if (v !== undefined && v !== null && typeof v !== 'boolean') issue(`${at}/${key}`, `must be of type boolean, got ${jsonTypeOf(v)}`);
    }
    if (ref.controller === true) controllers++;
  });
  if (controllers > 1) issue(path, `only one reference can have controller set to true, got ${controllers}`);
}

// ---------------------------------------------------------------------------
// Small helpers

/** The JSON type name of a value ('integer' for whole numbers), or a description of a non-JSON value. */
function jsonTypeOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  switch (typeof x) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      if (!Number.isFinite(x)) return `non-finite number ${String(x)}`;
      return Number.isInteger(x) ? 'integer' : 'number';
    case 'object':
      return isRecord(x) ? 'object' : `${Object.prototype.toString.call(x).slice(8, -1)} object`;
    default:
      return typeof x;
  }
}

function typeDescription(n: Node): string {
  return n.intOrString ? 'an integer or a string' : `of type ${n.type ?? 'unknown'}`;
}

function escapePointer(key: string): string {
  // Every key of every object validated passes here; almost none needs escaping.
  return key.includes('~') || key.includes('/') ? key.replaceAll('~', '~0').replaceAll('/', '~1') : key;
}

function show(v: unknown): string {
  const s = canonicalJsonOfAny(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return canonicalJsonOfAny(a) === canonicalJsonOfAny(b);
}

/** For messages that name a CRD file: its path below crdRoot() when it is there. */
function crdFileLabel(file: string): string {
  const rel = relative(crdRoot(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}
