import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';

/** The project root this test runs in. */
export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** Top-level entries never copied: dependencies (linked instead), history, caches, release output. */
const NOT_COPIED = new Set(['node_modules', '.git', '.cache', 'release', 'coverage']);

/**
 * A copy of the project in a fresh temp folder, without node_modules
 * (symlinked to the real one), .git, .cache and release/, and without
 * another process's half-written `*.tmp-*` staging folders.
 */
export function copyProject(): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'cs-scaffold-')), 'project');
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (source) => {
      const rel = relative(ROOT, source);
      if (rel === '') return true;
      const top = rel.split('/')[0];
      return !NOT_COPIED.has(top) && !basename(source).includes('.tmp-');
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/** Every file below `dir` with the sha256 of its content; what "nothing was written" compares. */
export function treeDigest(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (entry === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}
