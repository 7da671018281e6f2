import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// This module sits in lib/pipeline/: two folders below the project, or below .build/.
const parent = resolve(here, '..', '..');

/**
 * The project folder (where package.json, stacks/ and dist/ are), whether this
 * module runs from the sources or compiled into .build/lib/.
 */
export const PROJECT_ROOT = basename(parent) === '.build' ? resolve(parent, '..') : parent;
