import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TreeFile } from './atomic-write.ts';

/** The folders `paths` (relative, '/'-separated) are in, '' for the top one included. */
export function foldersOf(paths: readonly string[]): Set<string> {
  const folders = new Set<string>(['']);
  for (const p of paths) for (let d = dirname(p); d !== '.' && !folders.has(d); d = dirname(d)) folders.add(d);
  return folders;
}

/**
 * Which of `files` (paths relative to `dir`) differ from what `dir` holds,
 * when `dir` holds exactly these paths as regular files and no other entry
 * (no other file, link, or folder that none of them is in): then replacing
 * just those files makes the folder hold `files`. Undefined when the folder
 * is missing or holds anything else, so that the whole folder is replaced.
 *
 * An edit of one stack changes a few files of each of its bundles (a chart
 * version: its Chart.yaml and the HelmChartProxies); replacing only those
 * keeps the others' inodes and mtimes, which GitOps tools, rsync and the
 * synth cache's stamps all notice.
 */
export function changedFiles(dir: string, files: readonly TreeFile[]): readonly TreeFile[] | undefined {
  const paths = files.map((f) => f.path);
  const wanted = new Set(paths);
  const folders = foldersOf(paths);
  let found = 0;
  const walk = (rel: string): boolean => {
    for (const e of readdirSync(rel === '' ? dir : join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!folders.has(path) || !walk(path)) return false;
      } else if (!e.isFile() || !wanted.has(path)) {
        return false;
      } else {
        found++;
      }
    }
    return true;
  };
  try {
    if (!lstatSync(dir).isDirectory() || !walk('') || found !== wanted.size) return undefined;
    const changed: TreeFile[] = [];
    for (const f of files) {
      const content = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
      const path = join(dir, f.path);
      // Sized first, so a file grown by hand is not read whole.
      if (lstatSync(path).size !== content.byteLength || !readFileSync(path).equals(content)) changed.push(f);
    }
    return changed;
  } catch {
    return undefined;
  }
}
