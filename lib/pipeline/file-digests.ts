import { existsSync, lstatSync, readFileSync, type Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { replaceFile } from '../bytes/atomic-write.ts';
import { sha256Hex } from '../bytes/sha256.ts';

/** Size, mtime (ms, fractional) and inode: a file with all three unchanged is taken to hold the same bytes. */
export type FileStamp = readonly [number, number, number];

/**
 * `path` relative to `root` when it was spelled by join(root, …) (normalized,
 * below it): a slice, where relative() resolves both paths again, which
 * hundreds of source files a run notice. Anything else goes to relative().
 */
export const pathBelow = (root: string, path: string): string =>
  path.length > root.length + 1 && path.startsWith(root) && path[root.length] === sep ? path.slice(root.length + 1) : relative(root, path);

export const fileStamp = (s: Stats): FileStamp => [s.size, s.mtimeMs, s.ino];

/** Whether the stamp at index `at` of `recorded` (stamps in turn, or a stamp followed by more) is the stamp of `s`. */
export const sameStamp = (recorded: ArrayLike<unknown>, s: Stats, at = 0): boolean => recorded[at] === s.size && recorded[at + 1] === s.mtimeMs && recorded[at + 2] === s.ino;

/**
 * A file's stamp and digest, and for a file read through `digestAndScan`
 * what the scan found in it.
 */
type FileRecord = readonly [number, number, number, string] | readonly [number, number, number, string, readonly string[]];

interface DigestsFile {
  readonly format: 2;
  readonly files: Readonly<Record<string, FileRecord>>;
}

/**
 * A file stamped this close to the moment the digests are saved is not
 * remembered: a write in the same clock tick after the stat would leave the
 * stamp unchanged (git's "racy" files).
 */
const RACY_MS = 2_000;
/** A digests file larger than this is not ours (about 100 bytes per file). */
const MAX_BYTES = 16 * 1024 * 1024;

/**
 * sha256 of project source files, remembered between runs by their size,
 * mtime and inode (as git's index does), so incremental synth hashes only
 * the files that changed instead of reading the ~8 MiB of sources and CRDs
 * every bundle's key covers. Kept in the project's git-ignored `.cache/`;
 * only ever a hint: a missing or damaged file means everything is read.
 */
export class FileDigests {
  private readonly next = new Map<string, FileRecord>();

  private constructor(
    private readonly root: string,
    private readonly path: string,
    private readonly known: ReadonlyMap<string, FileRecord>,
  ) {}

  /** The digests remembered for the files below `root`. */
  static load(root: string): FileDigests {
    const path = join(root, '.cache', 'synth', 'file-digests.json');
    let known = new Map<string, FileRecord>();
    try {
      if (existsSync(path) && lstatSync(path).size <= MAX_BYTES) {
        const doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<DigestsFile>;
        if (doc.format === 2 && doc.files !== null && typeof doc.files === 'object') known = new Map(Object.entries(doc.files));
      }
    } catch {
      known = new Map();
    }
    return new FileDigests(root, path, known);
  }

  /** The sha256 of a file's bytes (hex). */
  digest(file: string): string {
    const s = lstatSync(file);
    const key = pathBelow(this.root, file);
    const seen = this.known.get(key);
    const digest = seen && sameStamp(seen, s) ? seen[3] : sha256Hex(readFileSync(file));
    this.next.set(key, [...fileStamp(s), digest]);
    return digest;
  }

  /**
   * digest(file), and what `scan` finds in the file's bytes, both
   * remembered by the file's stamp: an unchanged file is neither read nor
   * scanned again. `scan` must depend on nothing but the bytes and the
   * file's path (the stack folders a stack file imports: some 150 imports
   * resolved and a regular expression over 86 KB in an edit's run, 5 ms).
   */
  digestAndScan(file: string, scan: (bytes: Buffer) => readonly string[]): { readonly digest: string; readonly found: readonly string[] } {
    const s = lstatSync(file);
    const key = pathBelow(this.root, file);
    const seen = this.known.get(key);
    if (seen && seen.length === 5 && sameStamp(seen, s) && Array.isArray(seen[4]) && seen[4].every((f) => typeof f === 'string')) {
      this.next.set(key, seen);
      return { digest: seen[3], found: seen[4] };
    }
    const bytes = readFileSync(file);
    const digest = sha256Hex(bytes);
    const found = scan(bytes);
    this.next.set(key, [...fileStamp(s), digest, found]);
    return { digest, found };
  }

  /** Remembers the digests of this run's files, except those too recently changed to trust their stamp. Best effort. */
  save(): void {
    const trusted = Date.now() - RACY_MS;
    const entries = [...this.next].filter(([, v]) => v[1] < trusted).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const unchanged = entries.length === this.known.size && entries.every(([k, v]) => {
      const seen = this.known.get(k);
      return seen !== undefined && seen.length === v.length && seen.every((x, i) => x === v[i]);
    });
    if (unchanged) return;
    const doc: DigestsFile = { format: 2, files: Object.fromEntries(entries) };
    try {
      replaceFile(this.path, `${JSON.stringify(doc)}\n`);
    } catch {
      // A project folder that cannot take the cache (read-only) only reads every file next time.
    }
  }
}
