import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { assertTag } from '../lib/registry/reference.ts';
import { createdFromEnv, describeStatus, ociCommandContext, type OciCommandHelpers, type OciCommandIo } from './oci.ts';
import { table } from './table.ts';

interface PublishGitopsCliOptions {
  readonly registry: string;
  readonly repository: string;
  readonly plainHttp?: boolean;
  readonly registryConfig?: string;
  readonly output: 'table' | 'json';
  readonly tag?: string;
  readonly force?: boolean;
  readonly source?: string | false;
  readonly revision?: string | false;
}

/**
 * Adds `publish-gitops`: dist bundles to an OCI registry as Flux artifacts
 * (`flux pull artifact`, a Flux OCIRepository). Wire it into the program
 * before parsing, with the same io and helpers as registerOciCommands:
 *
 *     registerGitopsCommands(program, io, { root: ROOT, quiet: () => global().quiet ?? false, usageError: (m) => new UserError(m) });
 */
export function registerGitopsCommands(program: Command, io: OciCommandIo, helpers: OciCommandHelpers): void {
  const { env, say, usage, target } = ociCommandContext(io, helpers);

  program
    .command('publish-gitops')
    .description('push dist bundles to an OCI registry as Flux artifacts (kustomization.yaml and the manifests it lists) for a Flux OCIRepository; tags are immutable')
    .argument('<bundle-dir...>', 'bundle folders, e.g. dist/docker/scs/1-34')
    .requiredOption('--registry <host[:port]>', 'OCI registry, e.g. ghcr.io or 127.0.0.1:5000')
    .requiredOption('--repository <path>', 'repository in the registry, e.g. my-org/cluster-stacks-gitops (not the one of `publish`: the default tags are the same release tags)')
    .option('--plain-http', 'talk http instead of https (a local registry)')
    .option('--registry-config <file>', 'docker-style config.json with credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json; $CLUSTER_STACKS_REGISTRY_USERNAME/_PASSWORD win)')
    .option('--tag <tag>', 'the tag, for one bundle (default: its release tag <provider>-<stack>-<major>-<minor>-<version> from metadata.yaml)')
    .option('--force', 'replace a tag that already points at different content')
    .option('--source <url>', 'org.opencontainers.image.source (default: the git remote origin URL of this project, without credentials)')
    .option('--no-source', 'omit org.opencontainers.image.source')
    .option('--revision <revision>', "org.opencontainers.image.revision, as Flux writes it: '<branch|tag>@sha1:<commit>' (default: this project's git branch and HEAD)")
    .option('--no-revision', 'omit org.opencontainers.image.revision')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (dirs: string[], opts: PublishGitopsCliOptions) => {
      const registryTarget = target(opts);
      if (opts.tag !== undefined) usage(() => assertTag(opts.tag as string));
      if (opts.tag !== undefined && dirs.length > 1) throw helpers.usageError(`--tag names one artifact, but ${dirs.length} bundle folders were given`);
      const created = usage(() => createdFromEnv(env));
      const [{ publishGitopsCommand }, { gitProvenance, uncommittedChanges }] = await Promise.all([import('./commands/publish-gitops.ts'), import('../lib/registry/flux-git.ts')]);
      const fromGit = opts.source === undefined || opts.revision === undefined ? gitProvenance(helpers.root) : {};
      const source = opts.source === false ? undefined : opts.source ?? fromGit.source;
      const revision = opts.revision === false ? undefined : opts.revision ?? fromGit.revision;
      if (revision !== undefined && opts.revision === undefined && !helpers.quiet()) {
        const changed = uncommittedChanges(helpers.root, dirs.map((d) => resolve(d)));
        if (changed.length > 0) {
          const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? ', …' : '');
          io.err(`warning: uncommitted changes (${shown}): org.opencontainers.image.revision ${revision} does not describe what is published; commit first or pass --revision\n`);
        }
      }
      const progress = (io.isTTY ?? process.stderr.isTTY ?? false) && !helpers.quiet() && env.CI !== 'true';
      const summary = await publishGitopsCommand({
        ...registryTarget,
        bundleDirs: dirs.map((d) => resolve(d)),
        ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
        force: opts.force ?? false,
        created,
        ...(source ? { source } : {}),
        ...(revision ? { revision } : {}),
        ...(progress ? { progress: { write: io.err } } : {}),
      });
      if (opts.output === 'json') {
        io.out(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const rows = summary.artifacts.map((a) => [a.reference, describeStatus(a), a.digest]);
      say(table([['REFERENCE', 'STATUS', 'DIGEST'], ...rows]));
    });
}
