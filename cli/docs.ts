import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ClusterStackDefinition, StackVersionsRow } from '../constructs/stack-definition.ts';
import { describeSelection, selectionFilter, type StackSelection } from './commands/filter.ts';
import { loadStacks } from './stacks.ts';

export interface DocsCliContext {
  /** Project root: version records and git history are read here; docs/ is written here by default. */
  readonly root: string;
  /** The stacks to document. @default the registered stacks, imported when the command runs */
  readonly definitions?: readonly ClusterStackDefinition<StackVersionsRow>[];
  /** Prints one line of progress (main's `say`, which honours --quiet). */
  readonly out: (line: string) => void;
}

interface DocsOptions extends StackSelection {
  readonly outputDir: string;
  readonly dryRun?: boolean;
}

/**
 * Adds `docs`: generates docs/<provider>/<stack>/<major>-<minor>.{md,html}
 * and the catalog (docs/README.md, docs/index.html) from a fresh synthesis.
 * A selection that matches nothing is a usage error (exit code 2).
 */
export function registerDocsCommand(program: Command, context: DocsCliContext): Command {
  const command = program.command('docs')
    .description('generate the stack documentation (Markdown and HTML pages, catalog, version history) into docs/')
    .option('--provider <name>', 'only stacks of this provider (the catalog is then left as it is)')
    .option('--stack <name>', 'only stacks with this name')
    .option('--kubernetes <minor>', 'only this Kubernetes minor, e.g. 1.34')
    .option('--output-dir <dir>', 'where to write', resolve(context.root, 'docs'))
    .option('--dry-run', 'generate, write nothing');
  command.action(async (opts: DocsOptions) => {
    const [{ docsCommand }, definitions] = await Promise.all([import('./commands/docs.ts'), context.definitions ?? loadStacks()]);
    let filter: ReturnType<typeof selectionFilter>;
    try {
      filter = selectionFilter(opts, definitions);
    } catch (e) {
      command.error(`error: ${(e as Error).message}`, { exitCode: 2, code: 'cluster-stacks.usage' });
    }
    const result = docsCommand({
      root: context.root,
      definitions,
      outDir: resolve(opts.outputDir),
      dryRun: opts.dryRun ?? false,
      ...(filter ? { filter } : {}),
    });
    const where = relative(process.cwd(), result.outDir) || '.';
    const verb = opts.dryRun ? 'generated (dry run, nothing written)' : `wrote to ${where}/`;
    const scope = filter ? `${result.pages} pages for ${describeSelection(opts)}; catalog not rewritten (run without filters for it)` : `${result.pages} pages and the catalog`;
    context.out(`docs: ${scope}, ${result.files.length} files ${verb}`);
  });
  return command;
}
