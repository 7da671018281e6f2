import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ClusterStackVersions } from '../../constructs/metadata.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { OUTPUT_MARKER, replaceFile } from '../bytes/atomic-write.ts';
import { foldersOf } from '../bytes/folder-changes.ts';
import { canonicalJsonOfAny } from '../bytes/json.ts';
import { sha256Hex as sha256 } from '../bytes/sha256.ts';
import { COMPONENTS, type ComponentHashes } from '../release/content-hash.ts';
import { fileStamp, pathBelow, sameStamp, type FileDigests } from './file-digests.ts';
import { PROJECT_ROOT } from './project-root.ts';

/**
 * What `synth` remembers about the bundles it wrote into one output folder,
 * so that a run after an edit synthesizes and rewrites only the bundles
 * whose inputs changed. It lives in the project's git-ignored `.cache/`,
 * never in the output folder, and is only ever a hint: a bundle is skipped
 * when its input key is unchanged AND every file of its folder still has the
 * size, mtime and inode recorded after the write (anything touched by hand
 * is synthesized again), and a missing or unreadable cache means a full run.
 *
 * A bundle's input key covers everything its bytes are made from:
 *   - the code and data every bundle shares: constructs/, lib/, imports/,
 *     crds/, package.json and package-lock.json, and stacks/ outside the
 *     per-stack folders, of the project and (when it is a package used by
 *     an overlay project) of this library;
 *   - the stack's own folder `stacks/<provider>/<stack>/` (version records
 *     aside) and every other stack folder its files import; a definition
 *     with no folder of that name gets all stack folders;
 *   - the definition's fields, build function source and versions row;
 *   - its versions and the Cluster API version of the output.
 * Not covered: environment variables or files outside those folders read by
 * a stack's build function; `synth` after such a change needs the cache
 * deleted (`rm -r .cache/synth`), as the README says.
 */
export interface SynthCacheEntry extends FolderStamps {
  readonly key: string;
  readonly hashes: ComponentHashes;
}

/** What the cache records of a bundle folder's files and folders after the write. */
export interface FolderStamps {
  /**
   * The paths of the files below the bundle folder, sorted. Read from the
   * cache, the bundles of one layout share one array: the 13,000 paths of a
   * 500-bundle matrix come in a handful of layouts.
   */
  readonly paths: readonly string[];
  /**
   * The folders below the bundle folder, sorted ('' is the bundle folder):
   * a file added or removed changes its folder's mtime, so the check needs
   * no listing. Shared like `paths`.
   */
  readonly dirs: readonly string[];
  /**
   * The stamp (lib/pipeline/file-digests.ts fileStamp) of each of `paths`
   * in turn, three numbers a file, then each folder's mtime and inode.
   */
  readonly stamps: ArrayLike<number>;
}

/**
 * The cache file, one per output folder: MAGIC, the header's length (uint32
 * little-endian), the header as JSON, zeros up to a multiple of 8 bytes,
 * then every bundle's stamps as float64s in the machine's byte order (the
 * header names it). Binary because the stamps are 35,000 numbers for 500
 * bundles: as JSON text, reading and writing them took an edit's run 15 ms.
 */
interface CacheHeader {
  readonly outDir: string;
  readonly endianness: 'BE' | 'LE';
  /** Each distinct `paths` and `dirs` of the bundles. */
  readonly layouts: readonly { readonly paths: readonly string[]; readonly dirs: readonly string[] }[];
  /** Bundle folder, key, hashes, layout, and where its stamps start among the float64s. */
  readonly bundles: readonly (readonly [string, string, ComponentHashes, number, number])[];
  /** See SynthCache.tree: each folder as its path, mtime and inode. */
  readonly tree?: readonly (readonly [string, number, number])[];
}

/** What the cache remembers of one output folder. */
export interface SynthCache {
  readonly bundles: Map<string, SynthCacheEntry>;
  /**
   * The output folder and its provider and stack folders ('' for itself,
   * `<provider>`, `<provider>/<stack>`), as a run that left nothing else in
   * them than the cached bundles (and the output marker) stamped them after
   * writing: while a folder keeps its mtime and inode, nothing was added to
   * it or removed from it since, so onlyBundleFolders reads no listing.
   * None after a run with a filter, which may leave other folders there.
   */
  readonly tree?: ReadonlyMap<string, readonly [number, number]>;
}

/** Also part of every key: a bundle cached by another format is synthesized again. */
const FORMAT = 5;
const MAGIC = Buffer.from(`CSSYNTH${FORMAT}`, 'latin1');
const HEADER_AT = MAGIC.length + 4;

/** Folders of a project whose every file is an input of every bundle. */
const SHARED_FOLDERS = ['constructs', 'lib', 'imports', 'crds'];
const SHARED_FILES = ['package.json', 'package-lock.json'];

function cachePath(root: string, outDir: string): string {
  return join(root, '.cache', 'synth', `${sha256(resolve(outDir)).slice(0, 32)}.bin`);
}

/** The cache of one output folder, or an empty one when there is none or it cannot be read. */
export function readSynthCache(root: string, outDir: string): SynthCache {
  const entries = new Map<string, SynthCacheEntry>();
  try {
    const path = cachePath(root, outDir);
    // A cache larger than this is not ours (well under 1 KiB per bundle).
    if (!existsSync(path) || lstatSync(path).size > 64 * 1024 * 1024) return { bundles: entries };
    const bytes = readFileSync(path);
    if (bytes.length < HEADER_AT || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return { bundles: entries };
    const headerEnd = HEADER_AT + bytes.readUInt32LE(MAGIC.length);
    if (headerEnd > bytes.length) return { bundles: entries };
    const header = JSON.parse(bytes.toString('utf8', HEADER_AT, headerEnd)) as CacheHeader;
    if (header.outDir !== resolve(outDir) || header.endianness !== endianness() || !Array.isArray(header.layouts) || !Array.isArray(header.bundles)) return { bundles: entries };
    const valuesAt = align8(headerEnd);
    if (valuesAt > bytes.length || (bytes.length - valuesAt) % 8 !== 0) return { bundles: entries };
    // A view when the bytes are aligned for one (a file read whole gets a buffer of its own), else a copy.
    const values = (bytes.byteOffset + valuesAt) % 8 === 0
      ? new Float64Array(bytes.buffer, bytes.byteOffset + valuesAt, (bytes.length - valuesAt) / 8)
      : new Float64Array(bytes.buffer.slice(bytes.byteOffset + valuesAt, bytes.byteOffset + bytes.length));
    for (const bundle of header.bundles) {
      // A damaged entry is left out: its bundle is synthesized again.
      const [path, key, hashes, layout, at] = Array.isArray(bundle) ? bundle : [];
      const shape = typeof layout === 'number' ? header.layouts[layout] : undefined;
      if (typeof path !== 'string' || typeof key !== 'string' || !isHashes(hashes) || !shape || !Array.isArray(shape.paths) || !Array.isArray(shape.dirs) || typeof at !== 'number' || !Number.isInteger(at)) continue;
      const count = 3 * shape.paths.length + 2 * shape.dirs.length;
      if (at < 0 || at + count > values.length) continue;
      entries.set(path, { key, hashes, paths: shape.paths, dirs: shape.dirs, stamps: values.subarray(at, at + count) });
    }
    const tree = Array.isArray(header.tree) && header.tree.every((f) => Array.isArray(f) && typeof f[0] === 'string' && typeof f[1] === 'number' && typeof f[2] === 'number')
      ? new Map(header.tree.map(([folder, mtime, ino]) => [folder, [mtime, ino] as const]))
      : undefined;
    return { bundles: entries, ...(tree ? { tree } : {}) };
  } catch {
    return { bundles: new Map() };
  }
}

/**
 * Remembers what was written. Best effort: the output is complete when this
 * runs, and a project folder that cannot take the cache (read-only) only
 * means the next run is a full one.
 */
export function writeSynthCache(root: string, outDir: string, bundles: ReadonlyMap<string, SynthCacheEntry>, tree?: SynthCache['tree']): void {
  const layouts: { readonly paths: readonly string[]; readonly dirs: readonly string[] }[] = [];
  const layoutOf = new Map<string, number>();
  // Entries read from the cache share their layout's arrays: most bundles
  // are found by identity, without joining their paths into a text.
  const layoutOfArrays = new Map<readonly string[], Map<readonly string[], number>>();
  const rows: [string, string, ComponentHashes, number, number][] = [];
  const stamps: ArrayLike<number>[] = [];
  let count = 0;
  for (const [bundle, { key, hashes, paths, dirs, stamps: s }] of [...bundles.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let layout = layoutOfArrays.get(paths)?.get(dirs);
    if (layout === undefined) {
      const text = `${paths.join('\0')}\0\0${dirs.join('\0')}`;
      layout = layoutOf.get(text);
      if (layout === undefined) {
        layout = layouts.push({ paths, dirs }) - 1;
        layoutOf.set(text, layout);
      }
      const byDirs = layoutOfArrays.get(paths) ?? new Map<readonly string[], number>();
      byDirs.set(dirs, layout);
      layoutOfArrays.set(paths, byDirs);
    }
    rows.push([bundle, key, hashes, layout, count]);
    stamps.push(s);
    count += s.length;
  }
  const header: CacheHeader = { outDir: resolve(outDir), endianness: endianness(), layouts, bundles: rows, ...(tree ? { tree: [...tree].map(([folder, [mtime, ino]]) => [folder, mtime, ino] as const) } : {}) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const valuesAt = align8(HEADER_AT + json.length);
  const bytes = Buffer.alloc(valuesAt + 8 * count);
  MAGIC.copy(bytes, 0);
  bytes.writeUInt32LE(json.length, MAGIC.length);
  json.copy(bytes, HEADER_AT);
  const values = new Float64Array(bytes.buffer, bytes.byteOffset + valuesAt, count);
  let at = 0;
  for (const s of stamps) {
    values.set(s, at);
    at += s.length;
  }
  try {
    replaceFile(cachePath(root, outDir), bytes);
  } catch {
    // The cache is a hint; see above.
  }
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

const isHashes = (value: unknown): value is ComponentHashes =>
  value !== null && typeof value === 'object' && COMPONENTS.every((c) => typeof (value as Record<string, unknown>)[c] === 'string');

/**
 * The files below `dir`, spelled as join(dir, …) would spell them: a name
 * read from a folder holds no separator, so appending it to its folder's
 * path is what join() gives, without normalizing the path again (the
 * sources an edit's run walks are some 260 files).
 */
function filesBelow(dir: string, dirs?: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    dirs?.push(d);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = `${d}${sep}${e.name}`;
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The stamps of every file below a bundle folder and of every folder, as recorded after writing it. */
export function stampFolder(bundleDir: string): FolderStamps {
  const found: string[] = [];
  const paths = filesBelow(bundleDir, found)
    .map((file) => relative(bundleDir, file))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return stampsOf(bundleDir, paths, found.map((d) => relative(bundleDir, d)).sort());
}

/**
 * stampFolder of a folder this run has just made with exactly `files` in it
 * (paths relative to it, '/'-separated, as a bundle's files are): the
 * listing is known, so only the stamps are read. Reading the folders back
 * was some 3,700 readdirs and 9,000 relative() calls in a 500-bundle
 * synth. A folder without files is stamped by listing it, as stampFolder does.
 */
export function stampWrittenFolder(bundleDir: string, files: readonly string[]): FolderStamps {
  if (files.length === 0) return stampFolder(bundleDir);
  const native = (p: string) => (sep === '/' ? p : p.split('/').join(sep));
  const paths = files.map(native).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return stampsOf(bundleDir, paths, [...foldersOf(files)].map(native).sort());
}

/** The stamps of `paths` and `dirs` (sorted, relative to `bundleDir`, '' for itself), read now. */
function stampsOf(bundleDir: string, paths: readonly string[], dirs: readonly string[]): FolderStamps {
  const below = `${bundleDir}${sep}`;
  const stamps: number[] = [];
  for (const p of paths) stamps.push(...fileStamp(lstatSync(below + p)));
  for (const d of dirs) {
    const s = lstatSync(d === '' ? bundleDir : below + d);
    stamps.push(s.mtimeMs, s.ino);
  }
  return { paths, dirs, stamps };
}

const MAY_BE_MISSING = { throwIfNoEntry: false } as const;

/** Whether a bundle folder holds exactly the files recorded, each unchanged since. */
export function folderUnchanged(bundleDir: string, recorded: FolderStamps): boolean {
  try {
    const { dirs, paths, stamps } = recorded;
    if (!Array.isArray(dirs) || dirs[0] !== '' || !Array.isArray(paths) || stamps === null || typeof stamps !== 'object' || stamps.length !== 3 * paths.length + 2 * dirs.length) return false;
    // Some 13,000 lstats after an edit of a 500-bundle matrix: the recorded
    // paths are relative() of the folder's own, so plain concatenation names
    // the same file as join() without normalizing each path again.
    const below = `${bundleDir}${sep}`;
    let at = 3 * paths.length;
    for (const d of dirs) {
      const s = lstatSync(d === '' ? bundleDir : below + d, MAY_BE_MISSING);
      if (s === undefined || !s.isDirectory() || stamps[at] !== s.mtimeMs || stamps[at + 1] !== s.ino) return false;
      at += 2;
    }
    for (let i = 0; i < paths.length; i++) {
      const s = lstatSync(below + paths[i], MAY_BE_MISSING);
      if (s === undefined || !s.isFile() || !sameStamp(stamps, s, 3 * i)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * A folder of SynthCache.tree (relative, '/'-separated, '' for the output
 * folder itself) as a path below `outDir`.
 */
function treeFolderPath(outDir: string, folder: string): string {
  if (folder === '') return outDir;
  return `${outDir.endsWith(sep) ? outDir : `${outDir}${sep}`}${folder.split('/').join(sep)}`;
}

/**
 * SynthCache.tree of an output folder that holds the bundle folders `paths`
 * and nothing else but the output marker, read now; none when a folder is
 * gone (the cache is a hint: the next run lists the folders).
 */
export function stampOutputTree(outDir: string, paths: Iterable<string>): SynthCache['tree'] {
  const tree = new Map<string, readonly [number, number]>();
  for (const f of [...foldersOf([...paths])].sort()) {
    const s = lstatSync(treeFolderPath(outDir, f), MAY_BE_MISSING);
    if (s === undefined || !s.isDirectory()) return undefined;
    tree.set(f, [s.mtimeMs, s.ino]);
  }
  return tree;
}

/** Whether `recorded` stamped the folders above exactly `paths`, and they keep their stamps. */
function treeUnchanged(outDir: string, paths: readonly string[], recorded: SynthCache): boolean {
  const { bundles, tree } = recorded;
  if (tree === undefined || bundles.size !== paths.length || !paths.every((p) => bundles.has(p))) return false;
  const folders = foldersOf(paths);
  if (folders.size !== tree.size) return false;
  return [...folders].every((f) => {
    const stamp = tree.get(f);
    if (stamp === undefined) return false;
    const s = lstatSync(treeFolderPath(outDir, f), MAY_BE_MISSING);
    return s !== undefined && s.isDirectory() && s.mtimeMs === stamp[0] && s.ino === stamp[1];
  });
}

/**
 * Whether the output folder holds nothing but bundle folders of `paths`
 * (`<provider>/<stack>/<minor>`) and the output marker: then bundles can be
 * replaced one by one; anything else (a removed stack's folder, a stray
 * file) needs the whole folder replaced. Read from the folders' listings,
 * unless `recorded` holds the stamps of a tree of exactly these bundles and
 * the folders still have them (SynthCache.tree).
 */
export function onlyBundleFolders(outDir: string, paths: readonly string[], recorded?: SynthCache): boolean {
  try {
    if (recorded !== undefined && treeUnchanged(outDir, paths, recorded)) return true;
    const wanted = new Set(paths);
    // The provider and stack folders ('' too, which no entry is named).
    const prefixes = foldersOf(paths);
    for (const e of readdirSync(outDir, { withFileTypes: true })) {
      if (e.name === OUTPUT_MARKER && e.isFile()) continue;
      if (!e.isDirectory() || !prefixes.has(e.name)) return false;
      for (const s of readdirSync(join(outDir, e.name), { withFileTypes: true })) {
        const stack = `${e.name}/${s.name}`;
        if (!s.isDirectory() || !prefixes.has(stack)) return false;
        for (const m of readdirSync(join(outDir, stack), { withFileTypes: true })) {
          if (!m.isDirectory() || !wanted.has(`${stack}/${m.name}`)) return false;
        }
      }
    }
    return true;
  } catch {
    return false;
  }
}

interface SourceFingerprint {
  readonly shared: string;
  /** `<provider>/<stack>` → hash of that stack folder and the stack folders its files import. */
  readonly stackFolder: (provider: string, stack: string) => string;
}

/** FileDigests.digestAndScan without remembered digests. */
function readAndScan(file: string, scan: (bytes: Buffer) => readonly string[]): { readonly digest: string; readonly found: readonly string[] } {
  const bytes = readFileSync(file);
  return { digest: sha256(bytes), found: scan(bytes) };
}

const IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFingerprint(roots: readonly string[], digests: FileDigests | undefined): SourceFingerprint {
  // Each file as its path and the fixed-length digest of its bytes: as telling as the bytes themselves.
  const digestOf = (p: string): string => (digests ? digests.digest(p) : sha256(readFileSync(p)));
  const shared = createHash('sha256');
  const folders = new Map<string, { root: string; files: string[] }>();
  for (const root of roots) {
    for (const folder of SHARED_FOLDERS) {
      for (const p of filesBelow(join(root, folder)).sort()) shared.update(`${pathBelow(root, p)}\0${digestOf(p)}\0`);
    }
    for (const f of SHARED_FILES) if (existsSync(join(root, f))) shared.update(`${f}\0${digestOf(join(root, f))}\0`);
    const stacks = join(root, 'stacks');
    for (const p of filesBelow(stacks).sort()) {
      const parts = pathBelow(stacks, p).split('/');
      if (parts.length >= 3) {
        if (parts[2] === 'version-record') continue;
        const key = `${root}\0${parts[0]}/${parts[1]}`;
        const entry = folders.get(key) ?? { root, files: [] };
        entry.files.push(p);
        folders.set(key, entry);
      } else {
        shared.update(`${pathBelow(root, p)}\0${digestOf(p)}\0`);
      }
    }
  }
  const own = new Map<string, string>();
  const imports = new Map<string, Set<string>>();
  for (const [key, { root, files }] of folders) {
    const h = createHash('sha256');
    const uses = new Set<string>();
    const stacks = join(root, 'stacks');
    for (const p of files) {
      // The stack folders (`<provider>/<stack>`) the file's relative imports lead into.
      const scan = (bytes: Buffer): string[] => {
        const found = new Set<string>();
        for (const m of bytes.toString('utf8').matchAll(IMPORT)) {
          const parts = relative(stacks, resolve(dirname(p), m[1])).split(sep);
          if (parts.length >= 3 && !parts[0].startsWith('..')) found.add(`${parts[0]}/${parts[1]}`);
        }
        return [...found].sort();
      };
      const { digest, found } = digests ? digests.digestAndScan(p, scan) : readAndScan(p, scan);
      h.update(`${pathBelow(root, p)}\0${digest}\0`);
      for (const folder of found) uses.add(`${root}\0${folder}`);
    }
    own.set(key, h.digest('hex'));
    imports.set(key, uses);
  }
  const closure = (start: string): string[] => {
    const seen = new Set<string>([start]);
    const queue = [start];
    while (queue.length > 0) for (const next of imports.get(queue.pop() as string) ?? []) if (!seen.has(next) && own.has(next)) (seen.add(next), queue.push(next));
    return [...seen].sort();
  };
  const allFolders = sha256([...own.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('\n'));
  return {
    shared: shared.digest('hex'),
    stackFolder: (provider, stack) => {
      const key = roots.map((r) => `${r}\0${provider}/${stack}`).find((k) => own.has(k));
      return key ? sha256(closure(key).map((k) => `${k}=${own.get(k)}`).join('\n')) : allFolders;
    },
  };
}

/**
 * A digest of a definition's fields and build code: a change to either is a
 * change of its bundles. Each object, array and function is digested once
 * per run, by identity, however many definitions hold it (a matrix's stacks
 * share their build code, addons and features), and a composite's text holds
 * its children's digests, not their texts. `#` starts no JSON text, so a
 * digest never reads as a leaf.
 */
function definitionDigest(value: unknown, memo: WeakMap<object, string>): string {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return canonicalJsonOfAny(value);
  const known = memo.get(value);
  if (known !== undefined) return known;
  let text: string;
  if (typeof value === 'function') {
    text = `<function ${value.toString()}>`;
  } else if (Array.isArray(value)) {
    text = `[${Array.from(value, (v: unknown) => definitionDigest(v, memo)).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of Object.keys(record).sort()) {
      const v = record[k];
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${definitionDigest(v, memo)}`);
    }
    text = `{${parts.join(',')}}`;
  }
  const digest = `#${sha256(text)}`;
  memo.set(value, digest);
  return digest;
}

export interface KeyedBundle {
  readonly identity: ClusterStackIdentity;
  /** `<provider>/<stack>/<major>-<minor>`. */
  readonly path: string;
  readonly key: string;
}

/**
 * The input key of every stack × minor (in definition order), from the
 * definitions and the sources alone, without synthesizing. A row whose
 * Kubernetes version does not parse gets no key (synthesis reports it).
 */
export function bundleKeys(
  root: string,
  definitions: readonly ClusterStackDefinition<StackVersionsRow>[],
  versionsFor: (id: ClusterStackIdentity) => ClusterStackVersions,
  context: string,
  /** Digests remembered from earlier runs. @default - every source file is read */
  digests?: FileDigests,
): KeyedBundle[] {
  const sources = sourceFingerprint([...new Set([resolve(root), PROJECT_ROOT])], digests);
  const out: KeyedBundle[] = [];
  const memo = new WeakMap<object, string>();
  for (const definition of definitions) {
    const { versions: rows, ...fields } = definition;
    const stackText = sha256(`${definitionDigest(fields, memo)}\n${sources.stackFolder(definition.provider, definition.stack)}`);
    for (const row of Array.isArray(rows) ? rows : []) {
      let kubernetes: KubernetesVersion;
      try {
        kubernetes = KubernetesVersion.parse(row.kubernetes);
      } catch {
        continue;
      }
      const identity: ClusterStackIdentity = { provider: definition.provider, stack: definition.stack, kubernetes };
      const v = versionsFor(identity);
      const key = sha256([FORMAT, context, sources.shared, stackText, definitionDigest(row, memo), v.clusterStack.toString(), v.clusterAddon.toString(), v.nodeImage.toString()].join('\n'));
      out.push({ identity, path: `${identity.provider}/${identity.stack}/${kubernetes.minorSlug}`, key });
    }
  }
  return out;
}
