import { assertRepository, parseRegistryHost } from '../../lib/registry/reference.ts';
import { compareReleaseTags, parseReleaseTag, type ReleaseTag } from '../../lib/registry/release-tag.ts';
import { registryClientFor, type RegistryTarget } from './publish.ts';

export interface ListCommandOptions extends RegistryTarget {
  /** Tags per page (`?n=`). @default 1000 */
  readonly pageSize?: number;
}

/** The releases of one cluster stack × Kubernetes minor. */
export interface ListedStack {
  readonly provider: string;
  readonly stack: string;
  /** Kubernetes major.minor, e.g. `1.34`. */
  readonly kubernetes: string;
  /** Oldest first: stable versions by number, then pre-releases. */
  readonly releases: readonly { readonly version: string; readonly tag: string }[];
}

export interface ListSummary {
  readonly registry: string;
  readonly repository: string;
  readonly stacks: readonly ListedStack[];
  /** Tags that are not release tags `<provider>-<stack>-<major>-<minor>-<version>`, as the operator skips them. */
  readonly ignored: readonly string[];
}

/** The release tags of a repository (every page), grouped by provider, stack and Kubernetes minor, sorted by version. */
export async function listCommand(options: ListCommandOptions): Promise<ListSummary> {
  const registry = parseRegistryHost(options.registry);
  assertRepository(options.repository);
  const client = registryClientFor(registry, options);
  const tags = [...new Set(await client.listTags(options.repository, options.pageSize))];
  const releases: ReleaseTag[] = [];
  const ignored: string[] = [];
  for (const tag of tags) {
    const release = parseReleaseTag(tag);
    if (release) releases.push(release);
    else ignored.push(tag);
  }
  releases.sort(compareReleaseTags);
  const stacks: { provider: string; stack: string; kubernetes: string; releases: { version: string; tag: string }[] }[] = [];
  for (const r of releases) {
    const kubernetes = `${r.major}.${r.minor}`;
    let group = stacks[stacks.length - 1];
    if (!group || group.provider !== r.provider || group.stack !== r.stack || group.kubernetes !== kubernetes) {
      group = { provider: r.provider, stack: r.stack, kubernetes, releases: [] };
      stacks.push(group);
    }
    group.releases.push({ version: r.version.toString(), tag: r.tag });
  }
  return { registry, repository: options.repository, stacks, ignored: ignored.sort() };
}
