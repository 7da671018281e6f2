import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/**
 * Worker threads load compiled JavaScript only (.build/, built by
 * test/global-build.ts before the tests): writes into `temp` a module whose STACKS are 44 stacks (132
 * bundles) cloned from the shipped ones, and imports the compiled module
 * `cli/commands/<command>.js` with it.
 */
export async function compiledMatrix<M>(temp: string, command: string): Promise<{ module: M; STACKS: readonly ClusterStackDefinition<StackVersionsRow>[]; matrixUrl: string }> {
  const matrix = join(temp, 'matrix.mjs');
  writeFileSync(
    matrix,
    `import { STACKS as SHIPPED } from ${JSON.stringify(pathToFileURL(join(ROOT, '.build', 'stacks', 'index.js')).href)};\n` +
      'export const STACKS = Array.from({ length: 44 }, (_, i) => ({ ...SHIPPED[i % SHIPPED.length], stack: `p${i}` }));\n',
  );
  const module = (await import(pathToFileURL(join(ROOT, '.build', 'cli', 'commands', `${command}.js`)).href)) as M;
  const { STACKS } = (await import(pathToFileURL(matrix).href)) as { STACKS: readonly ClusterStackDefinition<StackVersionsRow>[] };
  return { module, STACKS, matrixUrl: pathToFileURL(matrix).href };
}

/** Sets CLUSTER_STACKS_SYNTH_THREADS for a test file; the returned function puts it back. */
export function threadsSetting(): { set: (threads: string) => void; restore: () => void } {
  const before = process.env.CLUSTER_STACKS_SYNTH_THREADS;
  return {
    set: (threads) => {
      process.env.CLUSTER_STACKS_SYNTH_THREADS = threads;
    },
    restore: () => {
      if (before === undefined) delete process.env.CLUSTER_STACKS_SYNTH_THREADS;
      else process.env.CLUSTER_STACKS_SYNTH_THREADS = before;
    },
  };
}
