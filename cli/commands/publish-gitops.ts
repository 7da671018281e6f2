import type { RegistryClient } from '../../lib/registry/client.ts';
import { buildFluxArtifact, describeArtifactKind, sameFluxContent, type FluxArtifact } from '../../lib/registry/flux-artifact.ts';
import { readGitopsBundle, type GitopsBundle } from '../../lib/registry/flux-bundle.ts';
import { MediaTypes } from '../../lib/registry/media-types.ts';
import { printable } from '../../lib/registry/printable.ts';
import { TransferProgress } from '../../lib/registry/progress.ts';
import { assertRepository, assertTag, formatReference, parseRegistryHost } from '../../lib/registry/reference.ts';
import { EPOCH } from '../../lib/registry/release-artifact.ts';
import { registryClientFor, type PublishedArtifact, type RegistryTarget } from './publish.ts';

export interface PublishGitopsOptions extends RegistryTarget {
  /** Bundle folders `dist/<provider>/<stack>/<major>-<minor>/`. */
  readonly bundleDirs: readonly string[];
  /** The tag, for one bundle. @default - the bundle's release tag `<provider>-<stack>-<major>-<minor>-<version>` */
  readonly tag?: string;
  /** Replace a tag that points at different content. @default false: tags are immutable */
  readonly force?: boolean;
  /** `org.opencontainers.image.created`, `YYYY-MM-DDTHH:MM:SSZ`. @default '1970-01-01T00:00:00Z' */
  readonly created?: string;
  /** `org.opencontainers.image.source`. @default - omitted */
  readonly source?: string;
  /** `org.opencontainers.image.revision`, e.g. `main@sha1:<commit>`. @default - omitted */
  readonly revision?: string;
  /** Progress line on a terminal. @default - none */
  readonly progress?: { readonly write: (s: string) => void };
}

export interface PublishedFluxArtifact extends PublishedArtifact {
  /** The bundle folder. */
  readonly bundle: string;
  /** `spec.url` of a Flux OCIRepository for it: `oci://<registry>/<repository>` (the tag goes into `spec.ref.tag`). */
  readonly url: string;
  /** The files in the artifact, by name. */
  readonly files: readonly string[];
}

export interface PublishGitopsSummary {
  readonly registry: string;
  readonly repository: string;
  readonly artifacts: readonly PublishedFluxArtifact[];
}

interface Work {
  readonly bundle: GitopsBundle;
  readonly tag: string;
  readonly artifact: FluxArtifact;
}

type Decision = { readonly kind: 'new' } | { readonly kind: 'same'; readonly note?: string } | { readonly kind: 'conflict'; readonly remote: string; readonly what: string };

/**
 * Publishes dist bundles as Flux OCI artifacts (lib/registry/flux-artifact.ts):
 * `<registry>/<repository>:<tag>` holding kustomization.yaml and the
 * manifests it lists, for `flux pull artifact` and a Flux OCIRepository.
 *
 * The same rules as `publish`: every bundle is read and every tag looked up
 * before anything is pushed; a tag that holds the same manifest, or the same
 * content with other provenance (created, source, revision), is left alone
 * ("already published"); a tag that holds other content — or another kind of
 * artifact, such as the Cluster Stack Operator's release artifact under the
 * same release tag — is refused for all bundles at once, unless `force`.
 * Blobs go first, the manifest last.
 */
export async function publishGitopsCommand(options: PublishGitopsOptions): Promise<PublishGitopsSummary> {
  const registry = parseRegistryHost(options.registry);
  assertRepository(options.repository);
  if (options.bundleDirs.length === 0) throw new Error('no bundle folder given');
  if (options.tag !== undefined) {
    assertTag(options.tag);
    if (options.bundleDirs.length > 1) throw new Error(`--tag ${options.tag} names one artifact, but ${options.bundleDirs.length} bundle folders were given; publish them one at a time, or let each get its release tag`);
  }
  const provenance = {
    created: options.created ?? EPOCH,
    ...(options.source ? { source: options.source } : {}),
    ...(options.revision ? { revision: options.revision } : {}),
  };

  const work: Work[] = options.bundleDirs.map((dir) => {
    const bundle = readGitopsBundle(dir);
    return { bundle, tag: options.tag ?? bundle.release.tag, artifact: buildFluxArtifact(bundle.files, provenance) };
  });
  const seen = new Map<string, string>();
  for (const w of work) {
    const other = seen.get(w.tag);
    if (other) throw new Error(`${w.bundle.dir} and ${other} would both be published as ${w.tag}`);
    seen.set(w.tag, w.bundle.dir);
  }

  const progress = new TransferProgress((s) => options.progress?.write(s), options.progress !== undefined);
  const client = registryClientFor(registry, options, async (event) => {
    progress.onEvent(event);
    await options.onEvent?.(event);
  });

  const decisions = new Map<Work, Decision>();
  for (const w of work) decisions.set(w, await decide(client, options.repository, w));
  const conflicts = work.flatMap((w) => {
    const d = decisions.get(w);
    return d?.kind === 'conflict' ? [{ w, d }] : [];
  });
  if (conflicts.length > 0 && !options.force) {
    throw new Error(
      `${conflicts.map(({ w, d }) => `${formatReference(registry, options.repository, w.tag)} already exists with ${d.remote} (${d.what}), not ${w.artifact.digest}`).join('; ')}: ` +
        'published tags are immutable; release a new version, publish GitOps artifacts to a repository of their own, or pass --force to replace (consumers that already pulled keep the old content)',
    );
  }

  const pending = work.filter((w) => decisions.get(w)?.kind !== 'same');
  progress.plan(pending.length * 2, pending.reduce((n, w) => n + w.artifact.config.size + w.artifact.layer.size, 0));
  const artifacts: PublishedFluxArtifact[] = [];
  try {
    for (const [i, w] of work.entries()) {
      progress.step(`[${i + 1}/${work.length}] ${w.tag}`);
      const decision = decisions.get(w) as Decision;
      const base = {
        reference: formatReference(registry, options.repository, w.tag),
        tag: w.tag,
        digest: w.artifact.digest,
        bundle: w.bundle.dir,
        url: `oci://${registry}/${options.repository}`,
        files: w.bundle.files.map((f) => f.name),
      };
      if (decision.kind === 'same') {
        artifacts.push({ ...base, status: 'already-published', ...(decision.note ? { note: decision.note } : {}) });
        continue;
      }
      await client.pushBlob(options.repository, w.artifact.config);
      await client.pushBlob(options.repository, w.artifact.layer);
      await client.pushManifest(options.repository, w.tag, w.artifact.manifest, MediaTypes.imageManifest);
      artifacts.push(decision.kind === 'conflict' ? { ...base, status: 'replaced', previousDigest: decision.remote } : { ...base, status: 'published' });
    }
  } finally {
    progress.finish();
  }
  return { registry, repository: options.repository, artifacts };
}

/** Whether a tag is free, already holds this artifact (or the same content), or holds something else. */
async function decide(client: RegistryClient, repository: string, w: Work): Promise<Decision> {
  const remote = await client.resolve(repository, w.tag);
  if (!remote) return { kind: 'new' };
  if (remote.digest === w.artifact.digest) return { kind: 'same' };
  if (remote.mediaType.split(';')[0]?.trim() !== MediaTypes.imageManifest) return { kind: 'conflict', remote: remote.digest, what: `a manifest of type ${printable(remote.mediaType) || 'unknown'}` };
  const theirs = await client.getManifest(repository, remote.digest, [MediaTypes.imageManifest]);
  const note = sameFluxContent(theirs.bytes, w.artifact.manifest);
  if (note !== undefined) return { kind: 'same', note };
  const kind = describeArtifactKind(theirs.bytes);
  return { kind: 'conflict', remote: remote.digest, what: kind === 'a Flux artifact' ? 'a Flux artifact with other content' : kind };
}
