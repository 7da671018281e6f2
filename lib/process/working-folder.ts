import { sep } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * Runs `body` with the process's working folder at `dir`, handing it the
 * prefix that names a path below `dir` from there (''), and sets the working
 * folder back after; where the working folder cannot be changed (a worker
 * thread, a folder that cannot be entered) the prefix is `dir` itself.
 *
 * For thousands of lstats below one folder: the kernel resolves a relative
 * path from the working folder, so it walks a bundle file's few components
 * instead of the output folder's eight or more each time (the check of an
 * edit's 13,000 recorded entries). Only for synchronous bodies that resolve
 * nothing but paths below `dir`: the working folder is the process's, and
 * nothing else may run while it is moved.
 */
export function inWorkingFolder<T>(dir: string, body: (below: string) => T): T {
  let back: string | undefined;
  if (isMainThread) {
    try {
      const cwd = process.cwd();
      process.chdir(dir);
      back = cwd;
    } catch {
      back = undefined;
    }
  }
  if (back === undefined) return body(dir.endsWith(sep) ? dir : `${dir}${sep}`);
  try {
    return body('');
  } finally {
    process.chdir(back);
  }
}
