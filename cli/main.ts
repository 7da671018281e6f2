import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { ClusterStackDefinition, StackVersionsRow } from '../constructs/stack-definition.ts';
import { StackVersion } from '../constructs/stack-version.ts';
import { selectionFilter, type StackSelection } from './commands/filter.ts';
import type { ClusterApiVersion } from './commands/synth-v1beta2.ts';
import { PROJECT_ROOT } from '../lib/pipeline/project-root.ts';
import type { VersionMode } from '../lib/release/versioning.ts';
import { registerDocsCommand } from './docs.ts';
import { registerGitopsCommands } from './gitops.ts';
import { registerNewCommand } from './new.ts';
import { registerOciCommands } from './oci.ts';
import { loadStacks, STACKS_MODULE } from './stacks.ts';
import { table } from './table.ts';

// Start-up: this module and the register* modules import only commander and
// small leaf modules, so `--help` and `<command> --help` never load the
// stacks, cdk8s, js-yaml or a command; each action imports what it runs.

const ROOT = PROJECT_ROOT;

/** Exit codes, as kubectl and helm use them. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

interface GlobalOptions {
  readonly debug?: boolean;
  readonly quiet?: boolean;
}

interface SelectionOptions extends StackSelection {
  readonly output?: string;
}

/** A failure the user caused (bad input), reported as one line without a stack trace. */
class UserError extends Error {}

function addSelection(command: Command): Command {
  return command
    .option('--provider <name>', 'only stacks of this provider')
    .option('--stack <name>', 'only stacks with this name')
    .option('--kubernetes <minor>', 'only this Kubernetes minor, e.g. 1.34');
}

/**
 * cli/commands/synth-v1beta2.ts's CLUSTER_API_VERSIONS, spelled out so that
 * the option's help needs no import of the converter; `satisfies` fails to
 * compile when a version is missing or unknown.
 */
const CLUSTER_API_CHOICES = Object.keys({ v1beta1: true, v1beta2: true } satisfies Record<ClusterApiVersion, true>);

function clusterApi(): Option {
  return new Option('--cluster-api <version>', 'Cluster API version of the ClusterClass and its templates (v1beta2: Cluster API >= 1.11)').choices([...CLUSTER_API_CHOICES]).default('v1beta1' satisfies ClusterApiVersion);
}

function output(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table');
}

function parseVersionOption(value: string | undefined, flag: string): StackVersion | undefined {
  if (value === undefined) return undefined;
  try {
    return StackVersion.parse(value);
  } catch (e) {
    throw new UserError(`${flag}: ${(e as Error).message}`);
  }
}

function versionMode(opts: { mode: string; version?: string; addonVersion?: string; nodeImageVersion?: string }): VersionMode {
  if (opts.mode === 'custom') {
    const clusterStack = parseVersionOption(opts.version, '--version');
    if (!clusterStack) throw new UserError('--mode custom needs --version (and optionally --addon-version, --node-image-version)');
    return {
      kind: 'custom',
      versions: {
        clusterStack,
        clusterAddon: parseVersionOption(opts.addonVersion, '--addon-version') ?? clusterStack,
        nodeImage: parseVersionOption(opts.nodeImageVersion, '--node-image-version') ?? clusterStack,
      },
    };
  }
  if (opts.version || opts.addonVersion || opts.nodeImageVersion) throw new UserError('--version, --addon-version and --node-image-version need --mode custom');
  return opts.mode === 'hash' ? { kind: 'hash' } : { kind: 'stable' };
}

/** Runs the CLI with the given arguments; returns the exit code. */
export async function run(argv: readonly string[], io: { out: (s: string) => void; err: (s: string) => void } = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
}): Promise<number> {
  const program = new Command('cluster-stacks')
    .description('Cluster API cluster stacks defined as typed cdk8s constructs')
    .option('--debug', 'print stack traces on errors')
    .option('-q, --quiet', 'print only errors')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  const global = () => program.opts<GlobalOptions>();
  const say = (s: string) => {
    if (!global().quiet) io.out(s.endsWith('\n') ? s : `${s}\n`);
  };

  addSelection(program.command('synth').description('synthesize stacks into dist/ at their recorded versions'))
    .option('--output-dir <dir>', 'where to write', resolve(ROOT, 'dist'))
    .option('--dry-run', 'validate only, write nothing')
    .addOption(clusterApi())
    .addOption(output())
    .action(async (opts: SelectionOptions & { outputDir: string; dryRun?: boolean; clusterApi: ClusterApiVersion }) => {
      const [{ synthCommand }, definitions] = await Promise.all([import('./commands/synth.ts'), loadStacks()]);
      const result = synthCommand({ root: ROOT, definitions, definitionsModule: STACKS_MODULE, outDir: resolve(opts.outputDir), dryRun: opts.dryRun ?? false, clusterApi: opts.clusterApi, ...filterOf(opts, definitions) });
      if (opts.output === 'json') {
        io.out(`${JSON.stringify({ bundles: result.bundles.map((b) => ({ path: b.path, clusterClass: b.clusterClassName })), unversionedChanges: result.unversionedChanges }, null, 2)}\n`);
      } else {
        say(table([['BUNDLE', 'CLUSTERCLASS', 'ADDON', 'NODE IMAGE'], ...result.bundles.map((b) => [b.path, b.clusterClassName, b.versions.clusterAddon.toString(), b.versions.nodeImage.toString()])]));
        if (result.unversionedChanges.length > 0) io.err(result.unversionedChanges.map((w) => `warning: ${w}\n`).join(''));
      }
    });

  addSelection(program.command('validate').description('synthesize and validate every object against its CRD and Cluster API rules; write nothing'))
    .addOption(clusterApi())
    .addOption(output())
    .action(async (opts: SelectionOptions & { clusterApi: ClusterApiVersion }) => {
      const [{ validateCommand }, definitions] = await Promise.all([import('./commands/validate.ts'), loadStacks()]);
      const result = validateCommand({ definitions, clusterApi: opts.clusterApi, ...filterOf(opts, definitions) });
      if (opts.output === 'json') io.out(`${JSON.stringify(result, null, 2)}\n`);
      else say(`valid: ${result.bundles} bundles, ${result.objects} objects`);
    });

  addSelection(program.command('release').description('version stacks by content and write release/<tag>/ folders the Cluster Stack Operator consumes'))
    .addOption(new Option('--mode <mode>', 'stable: version of change; hash: v0-sha.<hash> development build; custom: --version').choices(['stable', 'hash', 'custom']).default('stable'))
    .option('--version <version>', 'custom mode: the cluster stack version, e.g. v3 or v3-rc.1')
    .option('--addon-version <version>', 'custom mode: the cluster addon version (default: --version)')
    .option('--node-image-version <version>', 'custom mode: the node image version (default: --version)')
    .option('--from <dir>', 'previous state from a release folder (or a folder of them) instead of the version records')
    .option('--release-dir <dir>', 'where to write release folders', resolve(ROOT, 'release'))
    .option('--vendor', 'vendor addon dependencies into charts/ from their Helm repositories (digest checked against the index)')
    .option('--vendor-from <dir>', 'vendor addon dependencies from a local folder of <name>-<version>.tgz files or <name>/ chart folders (air-gapped)')
    .option('--record', 'custom mode: also write the version records and dist/ for these versions (stable mode always does, hash mode never)')
    .option('--dry-run', 'decide and show versions; write nothing')
    .option('--allow-breaking <reason>', 'release even though an upgrade path into a new version breaks; the reason goes into the version record, hashes.json and the docs')
    .addOption(output())
    .action(async (opts: SelectionOptions & { mode: string; version?: string; addonVersion?: string; nodeImageVersion?: string; from?: string; releaseDir: string; dryRun?: boolean; vendor?: boolean; vendorFrom?: string; record?: boolean; allowBreaking?: string }) => {
      if (opts.vendor && opts.vendorFrom) throw new UserError('--vendor and --vendor-from exclude each other');
      if (opts.record && opts.mode !== 'custom') throw new UserError(`--record is for --mode custom: ${opts.mode === 'hash' ? 'hash mode never writes' : 'stable mode always writes'} the version records and dist/`);
      const vendor = opts.vendorFrom ? { kind: 'folder' as const, path: resolve(opts.vendorFrom) } : opts.vendor ? { kind: 'repository' as const } : undefined;
      const mode = versionMode(opts);
      const [{ releaseCommand }, definitions] = await Promise.all([import('./commands/release.ts'), loadStacks()]);
      const result = await releaseCommand({
        ...(vendor ? { vendor } : {}),
        root: ROOT,
        definitions,
        definitionsModule: STACKS_MODULE,
        mode,
        releaseDir: resolve(opts.releaseDir),
        dryRun: opts.dryRun ?? false,
        ...(opts.record ? { record: true } : {}),
        ...(opts.allowBreaking !== undefined ? { allowBreaking: opts.allowBreaking } : {}),
        foldersOnlyVendored: true,
        ...(opts.from ? { from: resolve(opts.from) } : {}),
        ...filterOf(opts, definitions),
      });
      if (opts.output === 'json') {
        io.out(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      say(table([
        ['BUNDLE', 'RELEASE', 'STACK', 'ADDON', 'NODE IMAGE', 'CHANGED', 'WHY'],
        ...result.releases.map((r) => [r.bundle, r.tag, r.clusterStack, r.clusterAddon, r.nodeImage, r.changed.join(',') || '-', r.reason]),
      ]));
      for (const u of result.upgrades) say(u.problems.length === 0 ? `upgrade ${u.path}: ok` : u.problems.map((p) => `${p} (allowed: ${opts.allowBreaking ?? ''})`).join('\n'));
      if (result.releases.every((r) => !r.isNewVersion)) say('nothing changed: no new version');
      if (!opts.dryRun && result.wroteReleaseFolders) say(`wrote ${result.releases.length} release folders to ${result.releaseDir}${result.updatedSources ? '; updated the version records and dist/' : '; version records and dist/ untouched'}`);
      else if (!opts.dryRun) say(`${result.updatedSources ? 'version records and dist/ updated; ' : ''}no release folder: a release tag must always mean the same bytes, so stable and custom releases are written with --vendor or --vendor-from only (unvendored development builds: --mode hash)`);
    });

  addSelection(program.command('diff').description('explain, object by object, what changed and which versions it gets'))
    .option('--from <dir>', 'previous: a release folder (default: the committed dist/ at the recorded versions)')
    .option('--to <dir>', 'current: a release folder (default: a synthesis of the working tree)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: SelectionOptions & { from?: string; to?: string }) => {
      const [{ diffCommand }, definitions] = await Promise.all([import('./commands/diff.ts'), loadStacks()]);
      const result = await diffCommand({
        root: ROOT,
        definitions,
        ...(opts.from ? { from: resolve(opts.from) } : {}),
        ...(opts.to ? { to: resolve(opts.to) } : {}),
        ...filterOf(opts, definitions),
      });
      io.out(opts.output === 'json' ? `${JSON.stringify(result.json, null, 2)}\n` : result.text);
    });

  registerDocsCommand(program, { root: ROOT, out: say });
  registerOciCommands(program, io, { root: ROOT, quiet: () => global().quiet ?? false, usageError: (m) => new UserError(m) });
  registerGitopsCommands(program, io, { root: ROOT, quiet: () => global().quiet ?? false, usageError: (m) => new UserError(m) });
  registerNewCommand(program, { root: ROOT, out: io.out, say });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const error = e as Error;
    io.err(`error: ${error.message}\n`);
    if (e instanceof UserError) io.err(`hint: see 'cluster-stacks ${argv[0] ?? ''} --help'\n`);
    if (global().debug && error.stack) io.err(`${error.stack}\n`);
    return e instanceof UserError ? EXIT.usage : EXIT.failed;
  }
}

function filterOf(opts: StackSelection, definitions: readonly ClusterStackDefinition<StackVersionsRow>[]): { filter?: ReturnType<typeof selectionFilter> & {} } {
  let filter: ReturnType<typeof selectionFilter>;
  try {
    filter = selectionFilter(opts, definitions);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  return filter ? { filter } : {};
}
