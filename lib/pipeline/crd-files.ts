/**
 * The pinned CRD files as the schema registry reads them: their documents,
 * the apiVersions and kinds they serve, and the build's cache of both.
 *
 * `npm run build` writes, per CRD file and named by the sha256 of its bytes,
 * the parsed documents (`<sha>.json`) and a summary of what the file serves
 * (`<sha>.served.json`: every served version without its schema, plus a
 * hash of the schema). Parsing 5 MiB of CRD YAML costs most of a short
 * command's run, and even JSON.parse of every file plus comparing the
 * schemas that several releases serve for one apiVersion costs tens of
 * milliseconds; with the summaries a run reads the documents of only the
 * files whose schemas it uses. The name is the content hash, so an edited
 * CRD simply misses the cache.
 *
 * Hashing the 3.5 MiB of pinned CRDs costs a process (and each worker
 * thread) 5–8 ms, so the build also records each file's stamp (size, mtime,
 * inode) beside its hash in `stamps.json`, as git's index does: a file whose
 * stamp is unchanged is taken to hold the hashed bytes and is not read
 * unless its documents are needed.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { JSONSchemaProps } from '../../constructs/variable-schema.ts';
import { canonicalJsonOfAny } from '../bytes/json.ts';
import { sha256Hex as sha256 } from '../bytes/sha256.ts';
import { fileStamp, sameStamp } from './file-digests.ts';
import { PROJECT_ROOT } from './project-root.ts';

/** Where the build leaves the parsed CRD files and their summaries. */
export const CRD_JSON_CACHE = join(PROJECT_ROOT, '.build', 'crd-json');

/** Where one served apiVersion/kind was found and how its CRD declares it. */
export interface CrdVersionInfo {
  readonly apiVersion: string;
  readonly kind: string;
  /** CRD file, absolute. */
  readonly file: string;
  /** metadata.name of the CRD, `<plural>.<group>`. */
  readonly crdName: string;
  readonly namespaced: boolean;
  readonly storage: boolean;
  readonly deprecated: boolean;
  readonly schema: JSONSchemaProps | undefined;
}

/** A served version as the registry indexes it: its info, and a key equal for equal schemas (computed when first asked for). */
export interface ServedVersion {
  readonly info: CrdVersionInfo;
  readonly schemaKey: () => string;
}

/** What a CRD file serves. */
export interface CrdFileContents {
  /** CustomResourceDefinition documents in the file. */
  readonly crds: number;
  readonly versions: readonly ServedVersion[];
}

/** `<sha>.served.json`: a served version without its schema; `doc` is the index of its CRD document in the file. */
type SummaryEntry = Omit<CrdVersionInfo, 'file' | 'schema'> & { readonly doc: number; readonly schemaKey: string };

interface Summary {
  readonly crds: number;
  readonly versions: readonly SummaryEntry[];
}

const cachePath = (sha: string, suffix: string): string => join(CRD_JSON_CACHE, `${sha}${suffix}`);

/** The YAML documents of a CRD file, from the build's cache when it has this exact content. */
export function readCrdDocuments(file: string): unknown[] {
  const bytes = readFileSync(file);
  return documentsOf(file, () => bytes, sha256(bytes));
}

/** The documents of a file's bytes: from the cache entry of `sha` when there is one, else parsed. */
function documentsOf(file: string, bytes: () => Buffer, sha: string | undefined): unknown[] {
  const cached = sha === undefined ? undefined : cachePath(sha, '.json');
  if (cached !== undefined && existsSync(cached)) {
    const docs: unknown = JSON.parse(readFileSync(cached, 'utf8'));
    if (Array.isArray(docs)) return docs;
  }
  try {
    return yaml.loadAll(bytes().toString('utf8'), null, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * What a CRD file serves. With the build's summary of these bytes, each
 * schema is read from the cached documents on first use; otherwise the
 * file is parsed now. `useCache: false` always parses (the tests compare
 * the two).
 */
export function crdFileContents(file: string, useCache = true): CrdFileContents {
  let read: Buffer | undefined;
  const bytes = (): Buffer => (read ??= readFileSync(file));
  const sha = useCache ? (stampedSha(file) ?? sha256(bytes())) : undefined;
  if (sha !== undefined) {
    const summary = readSummary(sha);
    if (summary !== undefined) {
      let docs: unknown[] | undefined;
      const schemaOf = (entry: SummaryEntry): JSONSchemaProps | undefined => {
        docs ??= documentsOf(file, bytes, sha);
        return servedVersionsOf(docs[entry.doc], file)?.find((v) => v.apiVersion === entry.apiVersion)?.schema;
      };
      return {
        crds: summary.crds,
        versions: summary.versions.map((entry) => ({ info: summarizedVersion(entry, file, () => schemaOf(entry)), schemaKey: () => entry.schemaKey })),
      };
    }
  }
  return contentsOf(documentsOf(file, bytes, sha), file);
}

/** Writes a CRD file's parsed documents and summary into the build's cache (scripts/build.mjs). */
export function writeCrdCache(file: string): void {
  const bytes = readFileSync(file);
  const sha = sha256(bytes);
  const docs = documentsOf(file, () => bytes, undefined);
  const { crds, versions } = contentsOf(docs, file);
  const summary: Summary = {
    crds,
    versions: versions.map(({ doc, info: { apiVersion, kind, crdName, namespaced, storage, deprecated }, schemaKey }) => ({ doc, apiVersion, kind, crdName, namespaced, storage, deprecated, schemaKey: schemaKey() })),
  };
  mkdirSync(CRD_JSON_CACHE, { recursive: true });
  // The summary is written last: its presence promises the documents.
  for (const [suffix, value] of [['.json', docs], ['.served.json', summary]] as const) {
    const target = cachePath(sha, suffix);
    writeFileSync(`${target}.tmp`, JSON.stringify(value));
    renameSync(`${target}.tmp`, target);
  }
}

/** `stamps.json`: absolute path → [size, mtime ms, inode, sha256 of the bytes]. */
interface StampsFile {
  readonly format: 1;
  readonly files: Readonly<Record<string, readonly [number, number, number, string]>>;
}

const STAMPS_FILE = join(CRD_JSON_CACHE, 'stamps.json');
/** Some 150 bytes a CRD file; a larger stamps file is not the build's. */
const MAX_STAMPS_BYTES = 4 * 1024 * 1024;
/**
 * A file changed this close to the moment it is stamped is not stamped: a
 * write within the file system's timestamp granularity after the stat (two
 * seconds on FAT) would leave the stamp unchanged (git's "racy" files).
 */
const RACY_MS = 2_000;

let stamps: ReadonlyMap<string, readonly unknown[]> | undefined;

/** The sha256 the build recorded for `file`, when the file still has the stamp it had then. */
function stampedSha(file: string): string | undefined {
  stamps ??= readStamps();
  const recorded = stamps.get(file);
  if (recorded === undefined) return undefined;
  try {
    return sameStamp(recorded, lstatSync(file)) && typeof recorded[3] === 'string' ? recorded[3] : undefined;
  } catch {
    return undefined;
  }
}

function readStamps(): ReadonlyMap<string, readonly unknown[]> {
  try {
    if (!existsSync(STAMPS_FILE) || lstatSync(STAMPS_FILE).size > MAX_STAMPS_BYTES) return new Map();
    const doc = JSON.parse(readFileSync(STAMPS_FILE, 'utf8')) as Partial<StampsFile>;
    if (doc.format !== 1 || doc.files === null || typeof doc.files !== 'object') return new Map();
    return new Map(Object.entries(doc.files).filter(([, v]) => Array.isArray(v)));
  } catch {
    // Only a hint: without it every file is hashed.
    return new Map();
  }
}

/**
 * Records the stamps and hashes of CRD files (absolute paths) whose parsed
 * documents and summaries writeCrdCache has written (scripts/build.mjs),
 * replacing the previous record. Files changed in the last two seconds are
 * left out and hashed on every run.
 */
export function writeCrdStamps(files: readonly string[]): void {
  const trusted = Date.now() - RACY_MS;
  const entries: [string, readonly [number, number, number, string]][] = [];
  for (const file of [...files].sort()) {
    const before = lstatSync(file);
    const sha = sha256(readFileSync(file));
    const after = lstatSync(file);
    if (!sameStamp(fileStamp(before), after) || after.mtimeMs >= trusted) continue;
    entries.push([file, [...fileStamp(after), sha]]);
  }
  const doc: StampsFile = { format: 1, files: Object.fromEntries(entries) };
  mkdirSync(CRD_JSON_CACHE, { recursive: true });
  writeFileSync(`${STAMPS_FILE}.tmp`, JSON.stringify(doc));
  renameSync(`${STAMPS_FILE}.tmp`, STAMPS_FILE);
  stamps = undefined;
}

function readSummary(sha: string): Summary | undefined {
  const path = cachePath(sha, '.served.json');
  if (!existsSync(path)) return undefined;
  try {
    const summary = JSON.parse(readFileSync(path, 'utf8')) as Partial<Summary>;
    return typeof summary.crds === 'number' && Array.isArray(summary.versions) ? (summary as Summary) : undefined;
  } catch {
    // Only a cache: a damaged summary means the file is parsed.
    return undefined;
  }
}

type IndexedVersion = ServedVersion & { readonly doc: number };

/** The served versions of a file's documents, each with the index of the document that serves it. */
function contentsOf(docs: readonly unknown[], file: string): { readonly crds: number; readonly versions: readonly IndexedVersion[] } {
  let crds = 0;
  const versions: IndexedVersion[] = [];
  for (const [doc, value] of docs.entries()) {
    const served = servedVersionsOf(value, file);
    if (served === undefined) continue;
    crds++;
    for (const info of served) {
      let key: string | undefined;
      versions.push({ doc, info, schemaKey: () => (key ??= schemaKeyOf(info.schema)) });
    }
  }
  return { crds, versions };
}

const schemaKeyOf = (schema: JSONSchemaProps | undefined): string => sha256(Buffer.from(canonicalJsonOfAny(schema ?? null)));

/** A served version from the build's summary; the schema is read when first asked for. */
function summarizedVersion(entry: SummaryEntry, file: string, load: () => JSONSchemaProps | undefined): CrdVersionInfo {
  const { doc: _doc, schemaKey: _key, ...fields } = entry;
  let schema: { value: JSONSchemaProps | undefined } | undefined;
  return {
    ...fields,
    file,
    get schema() {
      schema ??= { value: load() };
      return schema.value;
    },
  };
}

/** Served versions of one YAML document, or undefined if it is not a CRD. */
function servedVersionsOf(doc: unknown, file: string): CrdVersionInfo[] | undefined {
  if (!isRecord(doc) || doc.kind !== 'CustomResourceDefinition') return undefined;
  if (typeof doc.apiVersion !== 'string' || !doc.apiVersion.startsWith('apiextensions.k8s.io/')) return undefined;
  const spec = doc.spec;
  const names = isRecord(spec) ? spec.names : undefined;
  const crdName = isRecord(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : '';
  if (!isRecord(spec) || typeof spec.group !== 'string' || !isRecord(names) || typeof names.kind !== 'string') {
    throw new Error(`${file}: CustomResourceDefinition ${crdName} has no spec.group or spec.names.kind`);
  }
  const { group } = spec;
  const kind = names.kind;
  // apiextensions.k8s.io/v1beta1 CRDs may carry one schema for all versions.
  const sharedSchema = isRecord(spec.validation) ? spec.validation.openAPIV3Schema : undefined;
  const versions = Array.isArray(spec.versions) ? spec.versions : typeof spec.version === 'string' ? [{ name: spec.version, served: true, storage: true }] : [];
  const out: CrdVersionInfo[] = [];
  for (const v of versions) {
    if (!isRecord(v) || typeof v.name !== 'string' || v.served !== true) continue;
    const schema = isRecord(v.schema) ? v.schema.openAPIV3Schema : sharedSchema;
    out.push({
      apiVersion: `${group}/${v.name}`,
      kind,
      file,
      crdName,
      namespaced: spec.scope !== 'Cluster',
      storage: v.storage === true,
      deprecated: v.deprecated === true,
      schema: isRecord(schema) ? schema : undefined,
    });
  }
  return out;
}

/** A plain object, as YAML and JSON parsers return them. */
export function isRecord(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}
