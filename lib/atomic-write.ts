import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A file to write: path relative to the tree root, and its content. */
export interface TreeFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/**
 * Replaces the folder `target` with exactly `files`, atomically as far as the
 * file system allows: the tree is written to a temporary sibling and swapped
 * in with two renames, so an error or a kill while writing leaves the old
 * tree untouched.
 */
export function replaceTree(target: string, files: readonly TreeFile[]): void {
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${basename(target)}.tmp-`));
  try {
    for (const f of files) {
      if (f.path.startsWith('/') || f.path.split('/').includes('..')) throw new Error(`refusing to write '${f.path}' outside ${target}`);
      const path = join(staging, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
    const old = `${staging}.old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Replaces one file atomically: write a sibling, then rename it over the target. */
export function replaceFile(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
