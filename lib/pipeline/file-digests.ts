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

interface DigestsFile {
  readonly format: 1;
  readonly files: Readonly<Record<string, readonly [number, number, number, string]>>;
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
  private readonly next = new Map<string, readonly [number, number, number, string]>();

  private constructor(
    private readonly root: string,
    private readonly path: string,
    private readonly known: ReadonlyMap<string, readonly [number, number, number, string]>,
  ) {}

  /** The digests remembered for the files below `root`. */
  static load(root: string): FileDigests {
    const path = join(root, '.cache', 'synth', 'file-digests.json');
    let known = new Map<string, readonly [number, number, number, string]>();
    try {
      if (existsSync(path) && lstatSync(path).size <= MAX_BYTES) {
        const doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<DigestsFile>;
        if (doc.format === 1 && doc.files !== null && typeof doc.files === 'object') known = new Map(Object.entries(doc.files));
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

  /** Remembers the digests of this run's files, except those too recently changed to trust their stamp. Best effort. */
  save(): void {
    const trusted = Date.now() - RACY_MS;
    const entries = [...this.next].filter(([, v]) => v[1] < trusted).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const unchanged = entries.length === this.known.size && entries.every(([k, v]) => {
      const seen = this.known.get(k);
      return seen !== undefined && seen.every((x, i) => x === v[i]);
    });
    if (unchanged) return;
    const doc: DigestsFile = { format: 1, files: Object.fromEntries(entries) };
    try {
      replaceFile(this.path, `${JSON.stringify(doc)}\n`);
    } catch {
      // A project folder that cannot take the cache (read-only) only reads every file next time.
    }
  }
}
