import { constants as zlibConstants, gunzipSync, gzip, gzipSync, type ZlibOptions } from 'node:zlib';
import type { Header } from 'tar-stream';

/**
 * Reproducible `.tgz` archives for release bundles, and a strict in-memory
 * reader for them.
 *
 * The same input must give the same bytes, so that a release archive's
 * sha256 only changes when its content does. Everything a tar or gzip writer
 * would otherwise take from the environment is pinned:
 *
 * - entries are sorted by path and every parent directory is written
 *   explicitly (mode 0755), so the input order and the way the caller found
 *   the files do not matter, and extractors that do not create parents (some
 *   do not) still work;
 * - mtime 0 (1970-01-01), uid/gid 0 and *empty* uname/gname. Empty names are
 *   what GNU tar writes with `--owner=0 --group=0 --numeric-owner`, the
 *   reproducible-builds recommendation: an extracting tar then uses the
 *   numeric ids instead of looking "root" up in the local user database;
 * - plain POSIX ustar headers only, never pax or GNU long-name records (one
 *   more thing that differs between writers, and tar-stream's pack would fall
 *   back to pax for the same paths), so non-ASCII and over-long paths are
 *   refused;
 * - gzip level 9 with zlib's default window/memory/strategy spelled out, and
 *   the gzip header's mtime 0 and OS byte 3 (unix) — zlib writes the OS it was
 *   compiled for, so the byte is patched after compressing.
 *
 * Byte identity holds for one zlib build; another deflate implementation may
 * compress the same tar differently (still a valid, equivalent archive).
 * Node.js's own (Chromium's) also picks its match-finder's hash by CPU: the
 * CRC32C instruction where there is one (x86-64 SSE4.2 + PCLMUL, ARMv8
 * CRC32, which agree), canonical zlib's Rabin-Karp hash elsewhere (README,
 * "Releases the Cluster Stack Operator consumes").
 */

/** One file to put into an archive: path relative to the archive root. */
export interface TgzEntry {
  readonly path: string;
  readonly content: string | Uint8Array;
  /** Permission bits; 0644 when not given. */
  readonly mode?: number;
}

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
const GZIP_OS_UNIX = 3;
/** Largest size the 11 octal digits of a ustar size field can hold. */
const USTAR_MAX_SIZE = 0o77777777777;

/** A tar entry after planning: the exact header name and its content. */
interface PlannedEntry {
  /** Header name; directories end with '/', as GNU tar writes them. */
  readonly name: string;
  /** The caller's path this entry exists for, for error messages. */
  readonly source: string;
  readonly type: 'file' | 'directory';
  readonly mode: number;
  /** Text is written into the tar as UTF-8. */
  readonly content: string | Buffer;
  /** The content's length in bytes. */
  readonly size: number;
}

/**
 * A gzip'd ustar archive of `entries`, byte-identical for the same set of
 * entries whatever their order. Throws, naming the path, on absolute paths,
 * `..` or otherwise non-canonical paths, duplicates, a file that is also a
 * directory of another file, and paths ustar cannot hold.
 */
export function createTgz(entries: readonly TgzEntry[]): Buffer {
  return reproducibleGzipHeader(gzipSync(tarOf(entries), GZIP_OPTIONS));
}

/**
 * Where createTgzAsync deflates: on zlib's thread pool, so that the calling
 * thread goes on with other work, or on the calling thread, when every core
 * already runs a thread of the caller's (a parallel release) and the pool's
 * threads would only take turns with them: on two cores that costs a
 * 500-bundle release some 5 % of its time.
 */
export type Compression = 'thread-pool' | 'calling-thread';

/**
 * createTgz, its bytes included, compressed where `compression` says. Bad
 * entries reject.
 */
export async function createTgzAsync(entries: readonly TgzEntry[], compression: Compression = 'thread-pool'): Promise<Buffer> {
  const known = recentArchives.findText(entries);
  if (known) return Buffer.from(await known);
  const tar = tarOf(entries);
  const seen = recentArchives.find(tar);
  if (seen) return Buffer.from(await seen);
  const gz =
    compression === 'calling-thread'
      ? Promise.resolve(reproducibleGzipHeader(gzipSync(tar, GZIP_OPTIONS)))
      : new Promise<Buffer>((resolve, reject) => gzip(tar, GZIP_OPTIONS, (err, out) => (err ? reject(err) : resolve(out)))).then(reproducibleGzipHeader);
  recentArchives.add(tar, gz, entries);
  // Copies: the remembered bytes stay the archive's whatever a caller does with its Buffer.
  return Buffer.from(await gz);
}

/**
 * The archives compressed last, by their tar: the bundles of a release often
 * hold the same addon or node image archive byte for byte (the stacks of a
 * provider share their addons), and level-9 deflate is a release's largest
 * single cost. A tar is matched by its whole bytes, not a digest of them,
 * and the memory held is bounded. An archive made of text only is also
 * found by its entries, as given: the same producer lists the same files in
 * the same order, and comparing the texts costs less than encoding them and
 * writing the tar again (half a millisecond for an addon archive, some 500
 * times in a release of 500 bundles). Texts cannot change afterwards; bytes
 * could, so entries holding bytes are only matched by their tar.
 */
export class RecentArchives {
  /** Oldest first: the order they are forgotten in. */
  private readonly entries: RecentArchive[] = [];
  /**
   * The archives by tarKey and by textKey: a release of 500 bundles looks
   * up some 1,300 archives, and going through all that are remembered for
   * each took some 70 ms of CPU, 30 ms by key (CPU profiles), most archives
   * being the only one of their key.
   */
  private readonly byTar = new Map<string, RecentArchive[]>();
  private readonly byText = new Map<string, RecentArchive[]>();
  private bytes = 0;

  public constructor(private readonly maxEntries: number, private readonly maxBytes: number) {}

  public find(tar: Buffer): Promise<Buffer> | undefined {
    return this.use(this.byTar.get(tarKey(tar))?.find((e) => e.tar.equals(tar)));
  }

  /** The archive of exactly these entries in this order, when each holds text. */
  public findText(entries: readonly TgzEntry[]): Promise<Buffer> | undefined {
    if (!allText(entries)) return undefined;
    return this.use(this.byText.get(textKey(entries))?.find((e) => sameTextEntries(e.text as readonly TgzEntry[], entries)));
  }

  public add(tar: Buffer, gz: Promise<Buffer>, entries?: readonly TgzEntry[]): void {
    // A copy of the list: the caller may reuse its array.
    const text = entries && allText(entries) ? entries.map((e) => ({ path: e.path, content: e.content, mode: e.mode })) : undefined;
    const entry: RecentArchive = { tar, gz, text, size: tar.length + (text ? textLength(text) : 0), tarKey: tarKey(tar), textKey: text ? textKey(text) : undefined };
    this.push(entry);
    // A failed compression is not remembered; the caller sees the failure.
    gz.catch(() => this.remove(entry));
    while (this.entries.length > this.maxEntries || this.bytes > this.maxBytes) this.remove(this.entries[0] as RecentArchive);
  }

  private use(entry: RecentArchive | undefined): Promise<Buffer> | undefined {
    if (!entry) return undefined;
    // The most recently used is forgotten last.
    this.remove(entry);
    this.push(entry);
    return entry.gz;
  }

  private push(entry: RecentArchive): void {
    this.entries.push(entry);
    this.bytes += entry.size;
    bucket(this.byTar, entry.tarKey).push(entry);
    if (entry.textKey !== undefined) bucket(this.byText, entry.textKey).push(entry);
  }

  private remove(entry: RecentArchive): void {
    const i = this.entries.indexOf(entry);
    if (i === -1) return;
    this.entries.splice(i, 1);
    this.bytes -= entry.size;
    unbucket(this.byTar, entry.tarKey, entry);
    if (entry.textKey !== undefined) unbucket(this.byText, entry.textKey, entry);
  }
}

function bucket(index: Map<string, RecentArchive[]>, key: string): RecentArchive[] {
  let list = index.get(key);
  if (list === undefined) index.set(key, (list = []));
  return list;
}

function unbucket(index: Map<string, RecentArchive[]>, key: string, entry: RecentArchive): void {
  const list = index.get(key);
  if (list === undefined) return;
  list.splice(list.indexOf(entry), 1);
  if (list.length === 0) index.delete(key);
}

/** A tar's length and its first header's name field: equal for equal tars, and mostly different otherwise. */
const tarKey = (tar: Buffer): string => `${tar.length}:${tar.toString('latin1', 0, 100)}`;

/** The number of entries, their texts' length and the first one's path: equal for equal lists of entries. */
const textKey = (entries: readonly TgzEntry[]): string => `${entries.length}:${textLength(entries)}:${entries[0]?.path ?? ''}`;

interface RecentArchive {
  readonly tar: Buffer;
  readonly gz: Promise<Buffer>;
  /** The entries as given, when every one holds text. */
  readonly text: readonly TgzEntry[] | undefined;
  /** What the archive holds in memory: its tar and its texts. */
  readonly size: number;
  readonly tarKey: string;
  /** Set when `text` is. */
  readonly textKey: string | undefined;
}

const allText = (entries: readonly TgzEntry[]): boolean => entries.every((e) => typeof e.content === 'string');

const textLength = (entries: readonly TgzEntry[]): number => entries.reduce((n, e) => n + e.path.length + e.content.length, 0);

function sameTextEntries(a: readonly TgzEntry[], b: readonly TgzEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as TgzEntry;
    const y = b[i] as TgzEntry;
    // The mode as planEntries reads it: absent is 0644.
    if (x.path !== y.path || (x.mode ?? FILE_MODE) !== (y.mode ?? FILE_MODE) || x.content !== y.content) return false;
  }
  return true;
}

const recentArchives = new RecentArchives(128, 16 * 1024 * 1024);

/**
 * The tar, written into one buffer of its final size: headers, contents and
 * padding in place, rather than a buffer for each and a copy of them all
 * (a release of 500 bundles writes some 1,300 tars, 37 MB).
 */
function tarOf(entries: readonly TgzEntry[]): Buffer {
  const planned = planEntries(entries);
  let size = 1024; // end-of-archive marker: two zero blocks
  for (const e of planned) size += 512 + Math.ceil(e.size / 512) * 512;
  // Zero-filled: the padding, the marker and every header byte not written.
  const tar = Buffer.alloc(size);
  let at = 0;
  for (const e of planned) {
    writeUstarHeader(tar, at, e);
    at += 512;
    if (typeof e.content === 'string') tar.write(e.content, at, 'utf8');
    else e.content.copy(tar, at);
    at += Math.ceil(e.size / 512) * 512;
  }
  return tar;
}

/**
 * One ustar header block at `at`, written here rather than through
 * tar-stream's pack because pack is a stream that only produces output on
 * later ticks, and callers need the archive synchronously. The layout is
 * exactly what tar-stream 3's pack writes for the same header (octal fields
 * with a trailing space, checksum as six digits and a space) — the tests
 * compare the two byte for byte — so extractors see what they would from
 * tar-stream. The block must be zeros.
 */
function writeUstarHeader(tar: Buffer, at: number, e: PlannedEntry): void {
  const { name, prefix } = splitUstarName(e.name);
  tar.write(name, at, 'ascii');
  tar.write(octal(e.mode, 6), at + 100, 'ascii');
  tar.write(octal(0, 6), at + 108, 'ascii'); // uid
  tar.write(octal(0, 6), at + 116, 'ascii'); // gid
  tar.write(octal(e.size, 11), at + 124, 'ascii');
  tar.write(octal(0, 11), at + 136, 'ascii'); // mtime: 1970-01-01
  tar.write(e.type === 'directory' ? '5' : '0', at + 156, 'ascii');
  tar.write('ustar\x0000', at + 257, 'ascii'); // magic "ustar\0", version "00"
  // uname (265) and gname (297) stay empty: see the module comment.
  tar.write(octal(0, 6), at + 329, 'ascii'); // devmajor
  tar.write(octal(0, 6), at + 337, 'ascii'); // devminor
  tar.write(prefix, at + 345, 'ascii');
  // The checksum is computed with its own field read as eight spaces.
  let sum = 8 * 0x20;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += tar[at + i] ?? 0;
  tar.write(octal(sum, 6), at + 148, 'ascii');
}

/** `digits` octal digits, zero-padded, and a space, as tar-stream writes them. */
function octal(value: number, digits: number): string {
  return `${value.toString(8).padStart(digits, '0')} `;
}

function planEntries(entries: readonly TgzEntry[]): PlannedEntry[] {
  const files = new Map<string, PlannedEntry>();
  const dirs = new Map<string, PlannedEntry>();
  for (const entry of entries) {
    checkPath(entry.path);
    if (files.has(entry.path)) throw new Error(`tgz: duplicate path '${entry.path}'`);
    const mode = entry.mode ?? FILE_MODE;
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
      throw new Error(`tgz: '${entry.path}' has mode ${String(mode)}; expected permission bits between 0 and 0o7777`);
    }
    const content = typeof entry.content === 'string' ? entry.content : Buffer.from(entry.content.buffer, entry.content.byteOffset, entry.content.byteLength);
    const size = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
    if (size > USTAR_MAX_SIZE) throw new Error(`tgz: '${entry.path}' is ${size} bytes, more than ustar can hold`);
    files.set(entry.path, { name: entry.path, source: entry.path, type: 'file', mode, content, size });
    const segments = entry.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (!dirs.has(dir)) dirs.set(dir, { name: `${dir}/`, source: entry.path, type: 'directory', mode: DIR_MODE, content: '', size: 0 });
    }
  }
  for (const dir of dirs.keys()) {
    if (files.has(dir)) throw new Error(`tgz: '${dir}' is both a file and the directory of '${dirs.get(dir)?.source ?? dir}'`);
  }
  // Sorting by the path without the directory's trailing '/' puts each
  // directory before its content ("a" < "a/b"), so extractors meet parents
  // first. Paths are ASCII (checked), so UTF-16 order is byte order.
  const all = [...dirs.entries(), ...files.entries()];
  all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const planned = all.map(([, e]) => e);
  for (const e of planned) checkUstarName(e);
  return planned;
}

/** Paths must be canonical relative paths, so one file has one spelling. */
function checkPath(path: string): void {
  if (path === '') throw new Error('tgz: empty path');
  if (path.startsWith('/')) throw new Error(`tgz: absolute path '${path}'; archive paths must be relative`);
  // Printable ASCII only: tar-stream writes a pax header for anything else,
  // and control characters (NUL above all) do not survive a ustar name field.
  if (!/^[\x20-\x7e]+$/.test(path)) throw new Error(`tgz: path '${path}' has non-ASCII or control characters, which ustar cannot hold without pax headers`);
  for (const segment of path.split('/')) {
    if (segment === '..') throw new Error(`tgz: path '${path}' has a '..' segment`);
    if (segment === '' || segment === '.') throw new Error(`tgz: path '${path}' is not canonical (empty or '.' segment, or a trailing '/')`);
  }
}

/**
 * The ustar name field holds 100 bytes; a 155-byte prefix field can take
 * leading directories, split at a '/'. Like tar-stream, this moves the fewest
 * leading segments into the prefix; when that prefix is too long, no split
 * fits. Returns undefined then.
 */
function trySplitUstarName(path: string): { readonly name: string; readonly prefix: string } | undefined {
  let name = path;
  let prefix = '';
  while (name.length > 100) {
    const i = name.indexOf('/');
    if (i === -1) break;
    prefix += prefix ? `/${name.slice(0, i)}` : name.slice(0, i);
    name = name.slice(i + 1);
  }
  return name.length > 100 || prefix.length > 155 ? undefined : { name, prefix };
}

function splitUstarName(path: string): { readonly name: string; readonly prefix: string } {
  const split = trySplitUstarName(path);
  if (!split) throw new Error(`tgz: internal error: '${path}' passed the length check but does not fit`);
  return split;
}

function checkUstarName(e: PlannedEntry): void {
  if (trySplitUstarName(e.name)) return;
  const what = e.type === 'directory' ? `directory '${e.name}' of '${e.source}'` : `path '${e.source}'`;
  throw new Error(`tgz: ${what} is too long for a ustar header (at most 100 bytes after the split '/', 155 before it)`);
}

const GZIP_OPTIONS: ZlibOptions = {
  level: 9,
  windowBits: 15,
  memLevel: 8,
  strategy: zlibConstants.Z_DEFAULT_STRATEGY,
};

function reproducibleGzipHeader(gz: Buffer): Buffer {
  // zlib writes mtime 0 when no gzip header is supplied; check rather than trust.
  if (gz[0] !== 0x1f || gz[1] !== 0x8b || gz[3] !== 0 || gz.readUInt32LE(4) !== 0) {
    throw new Error('tgz: zlib wrote an unexpected gzip header (flags or mtime set)');
  }
  // The OS byte is not covered by any checksum, so patching it is safe.
  gz[9] = GZIP_OS_UNIX;
  return gz;
}

/**
 * The regular files of a `.tgz` archive, path → content, in archive order.
 * Directory entries are checked and skipped; a leading './' (as in
 * `tar -C dir -czf x.tgz .`) is dropped. Throws one Error whose message starts
 * with `${where}: ` for input that is not gzip, corrupted or truncated gzip or
 * tar data, entries that would escape the archive root (absolute or `..`),
 * links and device/fifo entries, duplicate paths, and archives beyond
 * `limits` (DEFAULT_TGZ_LIMITS).
 */
export async function readTgz(data: Uint8Array, where: string, limits: TgzLimits = DEFAULT_TGZ_LIMITS): Promise<Map<string, Buffer>> {
  const tarBytes = gunzip(Buffer.from(data.buffer, data.byteOffset, data.byteLength), where, limits.maxUnpackedBytes);
  let entries = 0;
  let fileBytes = 0;
  const files = new Map<string, Buffer>();
  // Loaded here: writing archives (every release) needs none of it.
  const { extract } = await import('tar-stream');
  const extractor = extract();
  extractor.end(tarBytes);
  // Where the last entry's data ends (rounded up to a block), to check that
  // the end-of-archive marker follows: tar-stream does not notice an archive
  // cut off exactly between two entries (for instance by a broken download).
  let endOfEntries = 0;
  try {
    for await (const entry of extractor) {
      const header = entry.header;
      const path = entryPath(header, where);
      // Checked on the header, before the entry's data is read.
      if (++entries > limits.maxEntries) throw new TgzReadError(`${where}: more than ${limits.maxEntries} entries; refusing to unpack it (limit for archives this tool reads)`);
      if (header.size > limits.maxEntryBytes) throw new TgzReadError(`${where}: entry '${path}' is ${header.size} bytes, more than the ${mib(limits.maxEntryBytes)} a single file may have; refusing to unpack it`);
      fileBytes += header.size;
      if (fileBytes > limits.maxUnpackedBytes) throw new TgzReadError(`${where}: unpacks to more than ${mib(limits.maxUnpackedBytes)}; refusing to unpack it`);
      if (header.type === 'file' || header.type === 'contiguous-file') {
        if (files.has(path)) throw new TgzReadError(`${where}: duplicate entry '${path}'`);
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(asBuffer(chunk, where, path));
        files.set(path, Buffer.concat(chunks));
      } else if (header.type === 'directory') {
        for await (const chunk of entry) void chunk; // nothing in it, but tar-stream wants every entry drained
      } else if (header.type === 'symlink' || header.type === 'link') {
        throw new TgzReadError(`${where}: entry '${header.name}' is a ${header.type === 'link' ? 'hard link' : 'symbolic link'}; release archives may hold regular files only`);
      } else {
        throw new TgzReadError(`${where}: entry '${header.name}' has unsupported type '${String(header.type)}'; release archives may hold regular files only`);
      }
      // entry.offset is where the entry's own header block starts (after any
      // pax or long-name records); its data follows that block.
      endOfEntries = entry.offset + 512 + Math.ceil(header.size / 512) * 512;
    }
  } catch (err) {
    if (err instanceof TgzReadError) throw new Error(err.message);
    const message = err instanceof Error ? err.message : String(err);
    if (message === 'Unexpected end of data') throw new Error(`${where}: truncated tar archive (ends inside an entry)`);
    throw new Error(`${where}: corrupted tar archive: ${message}`);
  }
  checkEndOfArchive(tarBytes, endOfEntries, where);
  return files;
}

/**
 * Bounds on what readTgz unpacks, so a small archive that expands to
 * gigabytes (a "zip bomb") fails fast with bounded memory. gunzip stops at
 * maxUnpackedBytes of output; entry count and sizes are checked on each
 * header before its data is read.
 */
export interface TgzLimits {
  /** The tar stream after gunzip, and the sum of file sizes. */
  readonly maxUnpackedBytes: number;
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
}

/**
 * Helm's own chart-loading limits (100 MiB decompressed chart, 5 MiB per
 * file), which every chart the operator loads has to meet anyway; release
 * archives are a few hundred KiB. 10 000 entries bounds the work per
 * archive (charts have tens).
 */
export const DEFAULT_TGZ_LIMITS: TgzLimits = { maxUnpackedBytes: 100 * 1024 * 1024, maxEntries: 10_000, maxEntryBytes: 5 * 1024 * 1024 };

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(2)} MiB` : `${bytes} bytes`;
}

/** streamx types stream chunks as unknown; tar-stream yields Buffers. */
function asBuffer(chunk: unknown, where: string, path: string): Buffer {
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TgzReadError(`${where}: internal error: tar-stream gave a ${typeof chunk} chunk for '${path}'`);
}

/** Our own errors inside the extraction loop, told apart from tar-stream's. */
class TgzReadError extends Error {}

function gunzip(data: Buffer, where: string, maxOutput: number): Buffer {
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) {
    throw new Error(`${where}: not a gzip archive (does not start with the gzip magic bytes 1f 8b)`);
  }
  try {
    // zlib stops inflating once the output would pass maxOutput, so memory stays bounded.
    return gunzipSync(data, { maxOutputLength: maxOutput });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof Error && 'code' in err ? err.code : undefined;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`${where}: unpacks to more than ${mib(maxOutput)}; refusing to unpack it`);
    if (code === 'Z_BUF_ERROR' || message === 'unexpected end of file') {
      throw new Error(`${where}: truncated archive (the gzip stream ends early)`);
    }
    if (message === 'incorrect data check') {
      throw new Error(`${where}: corrupted gzip data (CRC-32 checksum mismatch)`);
    }
    throw new Error(`${where}: corrupted gzip data (zlib: ${message})`);
  }
}

/**
 * The entry's name as a canonical relative path. Refuses names an extractor
 * would write outside its target folder.
 */
function entryPath(header: Header, where: string): string {
  const name = header.name;
  if (name === '') throw new TgzReadError(`${where}: entry with an empty name`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) {
    throw new TgzReadError(`${where}: entry '${name}' escapes the archive (absolute path or backslash)`);
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new TgzReadError(`${where}: entry '${name}' escapes the archive ('..' segment)`);
  if (segments.length === 0 && header.type !== 'directory') throw new TgzReadError(`${where}: entry '${name}' has no file name`);
  return segments.join('/');
}

/** A complete tar ends with (at least) two zero blocks after the last entry. */
function checkEndOfArchive(tar: Buffer, endOfEntries: number, where: string): void {
  const rest = tar.subarray(endOfEntries);
  if (rest.length < 1024) {
    throw new Error(`${where}: truncated tar archive (the end-of-archive marker is missing after byte ${endOfEntries})`);
  }
  if (rest.some((b) => b !== 0)) {
    throw new Error(`${where}: corrupted tar archive (unexpected data after the end-of-archive marker at byte ${endOfEntries})`);
  }
}
