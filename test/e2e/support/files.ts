import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readTgz } from '../../../lib/bytes/tgz.ts';

/** A fresh folder below `parent` (created when missing). */
export function freshDir(parent: string, prefix: string): string {
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${prefix.replace(/[^A-Za-z0-9_.-]/g, '_')}-`));
}

/** Unpacks a .tgz into `target` (as the operator untars the cluster-addon archive); returns the file paths. */
export async function extractTgz(archive: string, target: string): Promise<string[]> {
  const files = await readTgz(readFileSync(archive), archive);
  for (const [path, content] of files) {
    const out = join(target, path);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, content);
  }
  return [...files.keys()];
}

/** A copy of a release folder to break on purpose. */
export function copyDir(source: string, target: string): string {
  cpSync(source, target, { recursive: true });
  return target;
}
