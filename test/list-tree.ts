import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file below `root`, as sorted paths relative to it (folders walked, not listed). */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}
