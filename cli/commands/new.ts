import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { scaffoldStack, type ScaffoldResult } from '../../lib/scaffold/scaffold.ts';

export { ScaffoldInputError } from '../../lib/scaffold/stack-name.ts';

export interface NewCommandOptions {
  readonly root: string;
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  /** `<provider>/<stack>`. */
  readonly name: string;
  /** Copy this stack instead of the skeleton. @default - the skeleton */
  readonly from?: string;
}

export interface NewCommandResult extends ScaffoldResult {
  /** What to tell the user, one line each. */
  readonly summary: readonly string[];
}

/**
 * Creates a stack and releases its v1 into the records and dist/ (not into
 * release/: `release` writes those folders when the stack is published).
 * Throws ScaffoldInputError for bad input (nothing written).
 */
export async function newCommand(options: NewCommandOptions): Promise<NewCommandResult> {
  const result = await scaffoldStack({ root: options.root, name: options.name, definitions: options.definitions, ...(options.from ? { from: options.from } : {}) });
  const { name } = result;
  // docs/ is committed and checked for freshness like dist/; the new stack is
  // only registered in a fresh module graph, so a child process writes it.
  try {
    execFileSync(process.execPath, [join(options.root, 'bin', 'cluster-stacks.cjs'), 'docs', '--quiet'], { cwd: options.root, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString('utf8').trim() ?? '';
    throw new Error(`stacks/${name.path} was created and registered, but regenerating docs/ failed (run \`npm run docs\`): ${stderr || (e as Error).message}`);
  }
  const stackFiles = result.files.filter((f) => f.startsWith(`stacks/${name.path}/`) && !f.includes('/version-record/')).map((f) => f.slice(`stacks/${name.path}/`.length));
  const minors = result.bundles.map((b) => b.path.split('/').pop() as string);
  const summary = [
    `created stacks/${name.path}/: ${stackFiles.join(', ')}${options.from ? ` (copied from ${options.from})` : ''}`,
    `registered ${name.identifier} in ${result.registeredIn}`,
    `version v1 for ${minors.join(', ')}: stacks/${name.path}/version-record/ (what \`npm run release\` writes for a first release)`,
    `synthesized and validated dist/${name.path}/{${minors.join(',')}}: ${result.bundles.map((b) => b.clusterClass).join(', ')}`,
    `regenerated docs/ with the pages of ${name.path}`,
    'next:',
    options.from || name.provider === 'docker'
      ? `  edit stacks/${name.path}/stack.ts (README.md there lists the steps)`
      : `  replace the CAPD placeholder templates in stacks/${name.path}/stack.ts (marked TODO(${name.provider}); README.md there lists the steps)`,
    '  npm run synth      rewrites dist/ and warns when content changed since v1',
    '  npm run release    gives changed content a new version and writes release/<tag>/ folders',
    '  npm run docs       regenerates docs/ after changes (its catalog lists every stack)',
    '  npm test           type-checks and checks that dist/, docs/ and the version records are fresh',
  ];
  return { ...result, summary };
}
