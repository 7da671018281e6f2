/**
 * Vitest's global setup: builds .build/ once (as `npm ci` does), before any
 * test file runs. Tests of the compiled CLI and of worker threads load it,
 * and a build deletes and rewrites it, so no test builds while others run.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
