import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A file to write: path relative to the tree root, and its content. */
export interface TreeFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/** A folder to replace and the files it will hold. */
export interface TreeReplacement {
  readonly target: string;
  readonly files: readonly TreeFile[];
}

/**
 * Replaces the folder `target` with exactly `files`, atomically as far as the
 * file system allows: the tree is written to a temporary sibling and swapped
 * in with two renames, so an error or a kill while writing leaves the old
 * tree untouched.
 */
export function replaceTree(target: string, files: readonly TreeFile[]): void {
  replaceTrees([{ target, files }]);
}

/**
 * Replaces several folders: every tree is written to its staging folder
 * first, and only when all are written are they swapped in, so a failure
 * while writing any of them changes none.
 */
export function replaceTrees(replacements: readonly TreeReplacement[]): void {
  // Checked before anything is staged, so an impossible target changes nothing.
  for (const { target } of replacements) {
    if (existsSync(target) && !statSync(target).isDirectory()) throw new Error(`${target} is not a folder; refusing to replace it`);
    for (let dir = dirname(target); dir !== dirname(dir); dir = dirname(dir)) {
      if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder; cannot write ${target}`);
    }
  }
  const staged: { target: string; staging: string }[] = [];
  try {
    for (const { target, files } of replacements) {
      const parent = dirname(target);
      mkdirSync(parent, { recursive: true });
      const staging = mkdtempSync(join(parent, `.${basename(target)}.tmp-`));
      staged.push({ target, staging });
      for (const f of files) {
        if (f.path.startsWith('/') || f.path.split('/').includes('..')) throw new Error(`refusing to write '${f.path}' outside ${target}`);
        const path = join(staging, f.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.content);
      }
    }
  } catch (e) {
    for (const { staging } of staged) rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  for (const { target, staging } of staged) {
    const old = `${staging}.old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    rmSync(old, { recursive: true, force: true });
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
