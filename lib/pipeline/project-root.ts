import { dirname, parse, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where the compiled CLI lives, below the project folder (scripts/build.mjs writes it). */
export const BUILD_DIR_NAME = '.build';

/**
 * The folder named `.build` this module was compiled into, if any. The build
 * bundles modules into chunks at depths of its choosing, so the answer walks
 * up instead of counting folders.
 */
function buildFolderAbove(from: string): string | undefined {
  for (let dir = from; dir !== parse(dir).root; dir = dirname(dir)) {
    if (parse(dir).base === BUILD_DIR_NAME) return dir;
  }
  return undefined;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The compiled CLI's folder when running compiled; undefined when running the TypeScript sources. */
export const BUILD_ROOT: string | undefined = buildFolderAbove(here);

/**
 * The project folder (where package.json, stacks/ and dist/ are), whether this
 * module runs from the sources (lib/pipeline/, two folders below it) or
 * compiled into .build/.
 */
export const PROJECT_ROOT = BUILD_ROOT !== undefined ? dirname(BUILD_ROOT) : resolve(here, '..', '..');

/**
 * URL of one of the project's entry modules (a path below the project such as
 * `stacks/index`) as this process can load it: the compiled `.js` below
 * .build/ when running compiled, else the `.ts` source.
 */
export function entryModuleUrl(path: string): URL {
  return pathToFileURL(resolve(BUILD_ROOT ?? PROJECT_ROOT, `${path}${BUILD_ROOT !== undefined ? '.js' : '.ts'}`));
}
