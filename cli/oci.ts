import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { PublishedArtifact, RegistryTarget } from './commands/publish.ts';
import { resolveCredentials, trustedTokenRealms } from '../lib/registry/credentials.ts';
import { printable, printableJson } from '../lib/registry/printable.ts';
import { assertRepository, assertTag, parseRegistryHost } from '../lib/registry/reference.ts';
import { parseReleaseTag } from '../lib/registry/release-tag.ts';
import { describeSignature, publishSigning, registerSigningCommands, SIGN_KEY_HELP, VERIFY_KEY_HELP } from './signing.ts';
import { table } from './table.ts';
import { childProcess } from '../lib/process/child-process.ts';

// Start-up: the registry, signing and archive code is imported by the
// actions (see cli/main.ts); only small leaf modules are imported here.

export interface OciCommandIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** Whether `err` is a terminal, for the progress line. @default process.stderr.isTTY */
  readonly isTTY?: boolean;
}

export interface OciCommandHelpers {
  /** The project root: `org.opencontainers.image.revision` defaults to its git HEAD. */
  readonly root: string;
  /** Whether the global --quiet is set. */
  readonly quiet: () => boolean;
  /** The error the CLI reports as a usage error (exit code 2). */
  readonly usageError: (message: string) => Error;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface TargetOptions {
  readonly registry: string;
  readonly repository: string;
  readonly plainHttp?: boolean;
  readonly registryConfig?: string;
  readonly output: 'table' | 'json';
}

/** What the registry commands share: output that honours --quiet, usage errors, and the registry target from the shared options. */
export function ociCommandContext(io: OciCommandIo, helpers: OciCommandHelpers) {
  const env = helpers.env ?? process.env;
  const say = (s: string) => {
    if (!helpers.quiet()) io.out(s.endsWith('\n') ? s : `${s}\n`);
  };
  const usage = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw helpers.usageError((e as Error).message);
    }
  };
  /** Registry, repository and credentials from the shared options; name problems are usage errors. */
  const target = (opts: TargetOptions): RegistryTarget => {
    const registry = usage(() => parseRegistryHost(opts.registry));
    usage(() => assertRepository(opts.repository));
    const found = usage(() => resolveCredentials(registry, { env, ...(opts.registryConfig ? { configPath: resolve(opts.registryConfig) } : {}) }));
    const realms = usage(() => trustedTokenRealms(env));
    return {
      registry,
      repository: opts.repository,
      ...(opts.plainHttp ? { plainHttp: true } : {}),
      ...(found.credentials ? { credentials: found.credentials } : {}),
      credentialsSource: found.source,
      ...(realms.length > 0 ? { trustedTokenRealms: realms } : {}),
    };
  };
  return { env, say, usage, target };
}

/**
 * Adds `publish`, `list` and `pull`: release folders to and from an OCI
 * registry. Wire it into the program before parsing:
 *
 *     registerOciCommands(program, io, { root: ROOT, quiet: () => global().quiet ?? false, usageError: (m) => new UserError(m) });
 */
export function registerOciCommands(program: Command, io: OciCommandIo, helpers: OciCommandHelpers): void {
  const { env, say, usage, target } = ociCommandContext(io, helpers);
  addTarget(program.command('publish').description('push release folders to an OCI registry as <registry>/<repository>:<release tag> (tags are immutable)'))
    .argument('<release-dir...>', 'release folders, e.g. release/openstack-scs-1-34-v1')
    .option('--force', 'replace a tag that already points at different content')
    .option('--helm-chart', 'also push the cluster-class chart as a Helm OCI chart at <repository>/<chart name>:<chart version>')
    .option('--revision <commit>', 'org.opencontainers.image.revision (default: git HEAD of this project, if it is a git checkout)')
    .option('--no-revision', 'omit org.opencontainers.image.revision')
    .option('--sign-key <key>', SIGN_KEY_HELP)
    .action(async (dirs: string[], opts: TargetOptions & { force?: boolean; helmChart?: boolean; revision?: string | false; signKey?: string }) => {
      const created = usage(() => createdFromEnv(env));
      const sign = opts.signKey ? await publishSigning(opts.signKey, env, helpers.root) : undefined;
      const { publishCommand } = await import('./commands/publish.ts');
      const revision = opts.revision === false ? undefined : opts.revision ?? gitHead(helpers.root);
      const progress = (io.isTTY ?? process.stderr.isTTY ?? false) && !helpers.quiet() && env.CI !== 'true';
      const summary = await publishCommand({
        ...target(opts),
        releaseDirs: dirs.map((d) => resolve(d)),
        force: opts.force ?? false,
        helmChart: opts.helmChart ?? false,
        created,
        ...(revision ? { revision } : {}),
        ...(progress ? { progress: { write: io.err } } : {}),
        ...(sign ? { sign } : {}),
      });
      if (opts.output === 'json') {
        io.out(`${printableJson(summary)}\n`);
        return;
      }
      const row = (a: PublishedArtifact): string[] => [a.reference, describeStatus(a), a.digest];
      say(table([['REFERENCE', 'STATUS', 'DIGEST'], ...summary.releases.flatMap((r) => (r.helmChart ? [row(r), row(r.helmChart)] : [row(r)]))]));
      for (const r of summary.releases) if (r.signature) say(`${r.reference}: ${describeSignature(r.signature)}`);
    });

  addTarget(program.command('list').description('list the release tags of a repository, grouped by provider, stack and Kubernetes minor'))
    .action(async (opts: TargetOptions) => {
      const registryTarget = target(opts);
      const { listCommand } = await import('./commands/list.ts');
      const summary = await listCommand(registryTarget);
      if (opts.output === 'json') {
        io.out(`${printableJson(summary)}\n`);
        return;
      }
      const rows = summary.stacks.flatMap((s) => s.releases.map((r) => [s.provider, s.stack, s.kubernetes, r.version, r.tag]));
      if (rows.length === 0) say(`no release tags in ${summary.registry}/${summary.repository}`);
      else say(table([['PROVIDER', 'STACK', 'KUBERNETES', 'VERSION', 'TAG'], ...rows]));
      if (summary.ignored.length > 0 && !helpers.quiet()) {
        const shown = summary.ignored.slice(0, 10).map(printable).join(', ') + (summary.ignored.length > 10 ? ', …' : '');
        io.err(`note: ignored ${summary.ignored.length} tag${summary.ignored.length === 1 ? '' : 's'} that ${summary.ignored.length === 1 ? 'is' : 'are'} not <provider>-<stack>-<major>-<minor>-<version>: ${shown}\n`);
      }
    });

  addTarget(program.command('pull').description('download a release artifact into <output-dir>/<tag>/, verifying every file'))
    .argument('<tag>', 'release tag, e.g. openstack-scs-1-34-v1')
    .requiredOption('--output-dir <dir>', 'where to create the <tag>/ folder')
    .option('--force', 'replace an existing <output-dir>/<tag>/')
    .option('--verify-key <key>', VERIFY_KEY_HELP)
    .action(async (tag: string, opts: TargetOptions & { outputDir: string; force?: boolean; verifyKey?: string }) => {
      usage(() => assertTag(tag));
      if (!parseReleaseTag(tag)) throw helpers.usageError(`tag '${tag}' is not a release tag <provider>-<stack>-<major>-<minor>-<version> (e.g. openstack-scs-1-34-v1); pull fetches cluster stack releases only`);
      const verifier = opts.verifyKey ? (await import('../lib/signing/keys.ts')).loadVerifier(opts.verifyKey, env) : undefined;
      const { pullCommand } = await import('./commands/pull.ts');
      const summary = await pullCommand({ ...target(opts), tag, outputDir: resolve(opts.outputDir), force: opts.force ?? false, ...(verifier ? { verifier } : {}) });
      if (opts.output === 'json') {
        io.out(`${printableJson(summary)}\n`);
        return;
      }
      say(`pulled ${summary.reference} (${summary.digest}) into ${summary.dir}: ${summary.files.length} files${summary.signature ? `, signature verified with ${opts.verifyKey ?? ''}` : ''}`);
    });

  registerSigningCommands(program, io, helpers, addTarget);
}

function addTarget(command: Command): Command {
  return command
    .requiredOption('--registry <host[:port]>', 'OCI registry, e.g. ghcr.io or 127.0.0.1:5000')
    .requiredOption('--repository <path>', 'repository in the registry, e.g. my-org/cluster-stacks')
    .option('--plain-http', 'talk http instead of https (a local registry)')
    .option('--registry-config <file>', 'docker-style config.json with credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json; $CLUSTER_STACKS_REGISTRY_USERNAME/_PASSWORD win)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'));
}

/** A publish result in words, for publish and publish-gitops. */
export function describeStatus(a: Pick<PublishedArtifact, 'status' | 'note' | 'previousDigest'>): string {
  switch (a.status) {
    case 'published':
      return 'published';
    case 'already-published':
      return a.note ? `already published (${printable(a.note)})` : 'already published';
    case 'replaced':
      return `replaced (was ${a.previousDigest ?? 'unknown'})`;
  }
}

/**
 * `org.opencontainers.image.created` from SOURCE_DATE_EPOCH (seconds since
 * 1970, the reproducible-builds convention), else the epoch itself: never
 * the clock, so republishing the same folder gives the same digest.
 */
export function createdFromEnv(env: NodeJS.ProcessEnv): string {
  const value = env.SOURCE_DATE_EPOCH;
  // new Date(0): lib/registry/release-artifact.ts's EPOCH, without importing the archive code at start-up.
  const date = value === undefined || value === '' ? new Date(0) : /^[0-9]+$/.test(value) ? new Date(Number(value) * 1000) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, got '${value}'`);
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/** The commit checked out in `root`, if it is a git checkout. */
function gitHead(root: string): string | undefined {
  try {
    const out = childProcess().execFileSync('git', ['-C', root, 'rev-parse', '--verify', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

