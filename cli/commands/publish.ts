import { canonicalJson, type JsonValue } from '../../lib/bytes/json.ts';
import { RegistryClient, type BlobSource, type RegistryClientOptions, type RegistryEvent } from '../../lib/registry/client.ts';
import type { Credentials } from '../../lib/registry/credentials.ts';
import { readHelmChartArtifact, type HelmChartArtifact } from '../../lib/registry/helm-chart.ts';
import { Annotations, MediaTypes } from '../../lib/registry/media-types.ts';
import { printable } from '../../lib/registry/printable.ts';
import { TransferProgress } from '../../lib/registry/progress.ts';
import { assertRepository, formatReference, parseRegistryHost } from '../../lib/registry/reference.ts';
import { EPOCH, readReleaseArtifact, type ReleaseArtifact } from '../../lib/registry/release-artifact.ts';
import type { ReleaseSignature } from './sign-release.ts';

/** Client settings a caller may tune (tests use short retries and small chunks). */
export type ClientTuning = Pick<RegistryClientOptions, 'retry' | 'chunkThreshold' | 'chunkSize' | 'requestTimeoutMs'>;

/** Where and as whom to talk to a registry. */
export interface RegistryTarget {
  /** `host[:port]`. */
  readonly registry: string;
  /** Repository path, e.g. `cluster-stacks` or `org/cluster-stacks`. */
  readonly repository: string;
  /** @default false */
  readonly plainHttp?: boolean;
  /** @default - anonymous */
  readonly credentials?: Credentials;
  /** Where the credentials came from, for messages. */
  readonly credentialsSource?: string;
  /** Token endpoint hosts besides the registry's own that get the credentials ($CLUSTER_STACKS_REGISTRY_TOKEN_REALMS). @default - none */
  readonly trustedTokenRealms?: readonly string[];
  readonly client?: ClientTuning;
  /** Every client event, e.g. for tests that break the registry at a chosen moment. */
  readonly onEvent?: (event: RegistryEvent) => void | Promise<void>;
}

/**
 * The client for a registry target; `onEvent` replaces the target's own
 * listener (commands that show progress wrap it).
 */
export function registryClientFor(registry: RegistryClientOptions['registry'], target: RegistryTarget, onEvent = target.onEvent): RegistryClient {
  return new RegistryClient({
    registry,
    ...(target.plainHttp ? { plainHttp: true } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    ...(target.credentialsSource ? { credentialsSource: target.credentialsSource } : {}),
    ...(target.trustedTokenRealms && target.trustedTokenRealms.length > 0 ? { trustedTokenRealms: target.trustedTokenRealms } : {}),
    ...target.client,
    ...(onEvent ? { onEvent } : {}),
  });
}

export interface PublishCommandOptions extends RegistryTarget {
  /** Release folders `release/<tag>/`; each is pushed as `<registry>/<repository>:<tag>`. */
  readonly releaseDirs: readonly string[];
  /** Replace a tag that points at different content. @default false: tags are immutable */
  readonly force?: boolean;
  /** Also push the cluster-class chart as a Helm OCI chart at `<repository>/<chart name>:<chart version>`. @default false */
  readonly helmChart?: boolean;
  /** `org.opencontainers.image.created`. @default '1970-01-01T00:00:00Z' */
  readonly created?: string;
  /** `org.opencontainers.image.revision`. @default - omitted */
  readonly revision?: string;
  /** Progress line on a terminal. @default - none */
  readonly progress?: { readonly write: (s: string) => void };
  /**
   * Signs each release once its tag is pushed (or found already published),
   * e.g. with signPublishedRelease. @default - unsigned
   */
  readonly sign?: (client: RegistryClient, repository: string, artifact: ReleaseArtifact) => Promise<ReleaseSignature>;
}

export type PublishStatus = 'published' | 'already-published' | 'replaced';

export interface PublishedArtifact {
  /** `registry/repository:tag`. */
  readonly reference: string;
  readonly tag: string;
  readonly digest: string;
  readonly status: PublishStatus;
  /** The digest the tag pointed at before, when it differed. */
  readonly previousDigest?: string;
  /** Why an existing tag with another digest counts as already published. */
  readonly note?: string;
}

export interface PublishSummary {
  readonly registry: string;
  readonly repository: string;
  readonly releases: readonly (PublishedArtifact & { readonly helmChart?: PublishedArtifact; readonly signature?: ReleaseSignature })[];
}

/** Something to put under a tag: blobs (pushed first) and the manifest (pushed last). */
interface Pushable {
  readonly repository: string;
  readonly tag: string;
  readonly manifest: Buffer;
  readonly digest: string;
  readonly blobs: readonly { readonly blob: BlobSource; readonly mountFrom?: string }[];
}

type Decision = { readonly kind: 'new' } | { readonly kind: 'same'; readonly note?: string } | { readonly kind: 'conflict'; readonly remote: string };

/**
 * Publishes release folders to an OCI registry, one artifact per release
 * tag (and optionally the cluster-class chart as a Helm chart).
 *
 * Every folder is read and checked, and every tag looked up, before anything
 * is pushed. Tags are immutable: a tag that points at the same manifest is
 * left alone ("already published"), as is one whose manifest differs only in
 * the provenance annotations (created, revision) — the content is the same;
 * a tag that points at other content is refused, for all releases at once,
 * unless `force`. Blobs go first (skipped when the registry has them), the
 * manifest last, so an interrupted publish leaves no tag pointing at
 * missing blobs and a rerun completes it.
 */
export async function publishCommand(options: PublishCommandOptions): Promise<PublishSummary> {
  const registry = parseRegistryHost(options.registry);
  assertRepository(options.repository);
  if (options.releaseDirs.length === 0) throw new Error('no release folder given');
  const created = options.created ?? EPOCH;
  const provenance = { created, ...(options.revision ? { revision: options.revision } : {}) };

  const artifacts: ReleaseArtifact[] = [];
  for (const dir of options.releaseDirs) artifacts.push(await readReleaseArtifact(dir, provenance));
  const seen = new Map<string, string>();
  for (const a of artifacts) {
    const other = seen.get(a.release.tag);
    if (other) throw new Error(`${a.dir} and ${other} are both release ${a.release.tag}`);
    seen.set(a.release.tag, a.dir);
  }
  const charts = new Map<string, HelmChartArtifact>();
  if (options.helmChart) for (const a of artifacts) charts.set(a.release.tag, await readHelmChartArtifact(a.clusterClassChart, created));

  const progress = new TransferProgress((s) => options.progress?.write(s), options.progress !== undefined);
  const client = registryClientFor(registry, options, async (event) => {
    progress.onEvent(event);
    await options.onEvent?.(event);
  });

  const work: { artifact: ReleaseArtifact; release: Pushable; chart?: Pushable }[] = artifacts.map((artifact) => {
    const chart = charts.get(artifact.release.tag);
    return {
      artifact,
      release: {
        repository: options.repository,
        tag: artifact.release.tag,
        manifest: artifact.manifest,
        digest: artifact.digest,
        blobs: [{ blob: artifact.config }, ...artifact.layers.map((l) => ({ blob: l.blob }))],
      },
      ...(chart
        ? {
            chart: {
              repository: `${options.repository}/${chart.name}`,
              tag: chart.tag,
              manifest: chart.manifest,
              digest: chart.digest,
              // The chart archive is the release's cluster-class layer: mount it rather than upload it again.
              blobs: [{ blob: chart.config }, { blob: chart.chart, mountFrom: options.repository }],
            },
          }
        : {}),
    };
  });
  for (const p of work.flatMap((w) => (w.chart ? [w.release, w.chart] : [w.release]))) assertRepository(p.repository);

  // Look every tag up first, so that a conflict anywhere pushes nothing.
  const decisions = new Map<Pushable, Decision>();
  for (const p of work.flatMap((w) => (w.chart ? [w.release, w.chart] : [w.release]))) decisions.set(p, await decide(client, p));
  const conflicts = [...decisions].filter(([, d]) => d.kind === 'conflict') as [Pushable, Extract<Decision, { kind: 'conflict' }>][];
  if (conflicts.length > 0 && !options.force) {
    throw new Error(
      `${conflicts.map(([p, d]) => `${formatReference(registry, p.repository, p.tag)} already exists with ${d.remote}, not ${p.digest}`).join('; ')}: ` +
        'published tags are immutable; release a new version, or pass --force to replace (consumers that already pulled keep the old content)',
    );
  }

  const push = async (p: Pushable): Promise<PublishedArtifact> => {
    const decision = decisions.get(p) as Decision;
    const base = { reference: formatReference(registry, p.repository, p.tag), tag: p.tag, digest: p.digest };
    if (decision.kind === 'same') return { ...base, status: 'already-published', ...(decision.note ? { note: decision.note } : {}) };
    for (const { blob, mountFrom } of p.blobs) await client.pushBlob(p.repository, blob, mountFrom ? { mountFrom } : {});
    await client.pushManifest(p.repository, p.tag, p.manifest, MediaTypes.imageManifest);
    return decision.kind === 'conflict' ? { ...base, status: 'replaced', previousDigest: decision.remote } : { ...base, status: 'published' };
  };

  for (const w of work) {
    const pending = [w.release, ...(w.chart ? [w.chart] : [])].filter((p) => decisions.get(p)?.kind !== 'same');
    progress.plan(pending.reduce((n, p) => n + p.blobs.length, 0), pending.reduce((n, p) => n + p.blobs.reduce((m, b) => m + b.blob.size, 0), 0));
  }
  const releases: (PublishedArtifact & { helmChart?: PublishedArtifact; signature?: ReleaseSignature })[] = [];
  try {
    for (const [i, w] of work.entries()) {
      progress.step(`[${i + 1}/${work.length}] ${w.artifact.release.tag}`);
      const release = await push(w.release);
      const helmChart = w.chart ? await push(w.chart) : undefined;
      const signature = options.sign ? await options.sign(client, options.repository, w.artifact) : undefined;
      releases.push({ ...release, ...(helmChart ? { helmChart } : {}), ...(signature ? { signature } : {}) });
    }
  } finally {
    progress.finish();
  }
  return { registry, repository: options.repository, releases };
}

/** Whether a tag is free, already holds this manifest (or the same content), or holds something else. */
async function decide(client: RegistryClient, p: Pushable): Promise<Decision> {
  const remote = await client.resolve(p.repository, p.tag);
  if (!remote) return { kind: 'new' };
  if (remote.digest === p.digest) return { kind: 'same' };
  if (remote.mediaType.split(';')[0]?.trim() === MediaTypes.imageManifest) {
    const theirs = await client.getManifest(p.repository, remote.digest, [MediaTypes.imageManifest]);
    const note = sameContent(theirs.bytes, p.manifest);
    if (note !== undefined) return { kind: 'same', note };
  }
  return { kind: 'conflict', remote: remote.digest };
}

const PROVENANCE = [Annotations.created, Annotations.revision];

/**
 * Whether two manifests differ only in provenance annotations; returns a
 * note naming the published provenance, or undefined when the content differs.
 */
export function sameContent(published: Buffer, ours: Buffer): string | undefined {
  let theirs: { annotations?: Record<string, string> };
  try {
    theirs = JSON.parse(published.toString('utf8')) as typeof theirs;
  } catch {
    return undefined;
  }
  const strip = (m: { annotations?: Record<string, string> }): string => {
    const annotations = Object.fromEntries(Object.entries(m.annotations ?? {}).filter(([k]) => !PROVENANCE.includes(k as (typeof PROVENANCE)[number])));
    return canonicalJson({ ...(m as Record<string, JsonValue>), annotations });
  };
  if (strip(theirs) !== strip(JSON.parse(ours.toString('utf8')) as typeof theirs)) return undefined;
  const a = theirs.annotations ?? {};
  // The note is printed: the published annotations are a registry's text.
  return printable(`same content, published ${a[Annotations.revision] ? `from revision ${a[Annotations.revision]}` : 'without a revision'}${a[Annotations.created] ? ` (created ${a[Annotations.created]})` : ''}`);
}
