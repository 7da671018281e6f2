/**
 * What a command did to an output tree of bundle folders
 * (<provider>/<stack>/<major>-<minor>/): which bundle folders it rewrote
 * (a file with a new inode or mtime, a file added or removed) and in which
 * the bytes changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface BundleState {
  /** Paths with inode and mtime. */
  readonly identity: string;
  /** Paths with content hashes. */
  readonly content: string;
}

export type TreeSnapshot = ReadonlyMap<string, BundleState>;

export interface TreeChange {
  readonly bundles: number;
  readonly rewritten: number;
  readonly changed: number;
}

export function snapshot(outDir: string): TreeSnapshot {
  const bundles = new Map<string, BundleState>();
  const dirs = (d: string): string[] => (existsSync(d) ? readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(d, e.name)) : []);
  for (const bundle of dirs(outDir).flatMap(dirs).flatMap(dirs)) {
    const identity: string[] = [];
    const content: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const path = join(d, e.name);
        if (e.isDirectory()) {
          walk(path);
          continue;
        }
        const rel = relative(bundle, path);
        const st = statSync(path, { bigint: true });
        identity.push(`${rel}\0${st.ino}\0${st.mtimeNs}`);
        content.push(`${rel}\0${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
      }
    };
    walk(bundle);
    bundles.set(relative(outDir, bundle), { identity: identity.join('\n'), content: content.join('\n') });
  }
  return bundles;
}

export function compare(before: TreeSnapshot, after: TreeSnapshot): TreeChange {
  let rewritten = 0;
  let changed = 0;
  for (const [path, a] of after) {
    const b = before.get(path);
    if (!b || b.identity !== a.identity) rewritten++;
    if (!b || b.content !== a.content) changed++;
  }
  for (const path of before.keys()) {
    if (!after.has(path)) {
      rewritten++;
      changed++;
    }
  }
  return { bundles: after.size, rewritten, changed };
}
