import { Option, type Command } from 'commander';
import type { ClusterStackDefinition, StackVersionsRow } from '../constructs/stack-definition.ts';
import type { newCommand } from './commands/new.ts';
import { loadStacks } from './stacks.ts';

export interface NewCommandContext {
  /** Project root. */
  readonly root: string;
  /** The registered stacks. @default STACKS, imported when the command runs */
  readonly definitions?: readonly ClusterStackDefinition<StackVersionsRow>[];
  /** Writes machine-readable output (`-o json`). */
  readonly out: (s: string) => void;
  /** Writes human output unless --quiet. @default out */
  readonly say?: (s: string) => void;
}

/**
 * Adds `new <provider>/<stack> [--from <provider>/<stack>]`. Bad input is
 * reported through Command.error as one line with exit code 2 (usage), as
 * the other commands' usage errors; nothing is written then.
 *
 * Wiring in cli/main.ts: `registerNewCommand(program, { root: ROOT, out: io.out, say });`
 */
export function registerNewCommand(program: Command, context: NewCommandContext): Command {
  const say = context.say ?? ((s: string) => context.out(s.endsWith('\n') ? s : `${s}\n`));
  const command = program
    .command('new')
    .description('create a stack skeleton stacks/<provider>/<stack>/ that synthesizes and validates at once, and register it')
    .argument('<provider/stack>', 'lower-case letters and digits, no \'-\', e.g. acme/scs')
    .option('--from <provider/stack>', 'copy this existing stack instead of the skeleton, e.g. docker/scs')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'));
  command.action(async (given: string, opts: { from?: string; output: string }) => {
    const [{ newCommand: create, ScaffoldInputError }, definitions] = await Promise.all([import('./commands/new.ts'), context.definitions ?? loadStacks()]);
    let result: Awaited<ReturnType<typeof newCommand>>;
    try {
      result = await create({ root: context.root, definitions, name: given, ...(opts.from ? { from: opts.from } : {}) });
    } catch (e) {
      if (e instanceof ScaffoldInputError) command.error(`error: ${e.message}`, { exitCode: 2, code: 'cluster-stacks.usage' });
      throw e;
    }
    if (opts.output === 'json') {
      const { summary: _summary, ...json } = result;
      context.out(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      for (const line of result.summary) say(line);
    }
  });
  return command;
}
