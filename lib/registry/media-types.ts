/**
 * Media types and annotation keys of the OCI artifacts this project pushes.
 *
 * The cluster-stack media types are csctl's (pkg/cmd/mediatype.go), so the
 * Cluster Stack Operator and csctl-based tooling see the same artifact they
 * would get from csctl.
 */
export const MediaTypes = {
  /** OCI image manifest; the only manifest type we write. */
  imageManifest: 'application/vnd.oci.image.manifest.v1+json',
  imageIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** The OCI empty descriptor's media type: the config of artifacts without one (`{}`). */
  empty: 'application/vnd.oci.empty.v1+json',

  clusterStacksArtifact: 'application/vnd.scs.cluster-stacks.v1',
  clusterClass: 'application/vnd.scs.cluster-class.v1.tar+gzip',
  clusterAddon: 'application/vnd.scs.cluster-addon.layer.v1.tar+gzip',
  clusterAddonConfig: 'application/vnd.scs.cluster-addon.config.layer.v1+yaml',
  metadata: 'application/vnd.scs.metadata.layer.v1+yaml',
  hashes: 'application/vnd.scs.hashes.layer.v1+yaml',
  nodeImage: 'application/vnd.scs.node-image.layer.v1.tar+gzip',
  nodeImageConfig: 'application/vnd.scs.node-image.config.layer.v1+yaml',
  /**
   * SHA256SUMS: csctl has no media type for it (it does not write one). It is
   * the plain-text output of `sha256sum`, so the registered `text/plain` says
   * exactly what it is, every tool can display it, and consumers that look
   * for the scs media types (none do today: the operator goes by file name)
   * skip it. No `charset` parameter: the content is ASCII, and some registries
   * and tools compare media types as opaque strings.
   */
  checksums: 'text/plain',

  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  helmChartContent: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
} as const;

/** Manifest media types `resolve` and `getManifest` accept by default. */
export const MANIFEST_ACCEPT: readonly string[] = [MediaTypes.imageManifest, MediaTypes.imageIndex, MediaTypes.dockerManifest, MediaTypes.dockerManifestList];

export const Annotations = {
  /** The file name a layer is written to by oras' file store (the operator's download). */
  title: 'org.opencontainers.image.title',
  created: 'org.opencontainers.image.created',
  revision: 'org.opencontainers.image.revision',
  version: 'org.opencontainers.image.version',
  description: 'org.opencontainers.image.description',
  /** csctl's manifest annotations. */
  kubernetesVersion: 'kubernetesVersion',
  hash: 'hash',
} as const;

/** The OCI empty JSON blob `{}` and its descriptor (image-spec 1.1 "Guidance for an Empty Descriptor"). */
export const EMPTY_JSON = Buffer.from('{}', 'utf8');
export const EMPTY_DESCRIPTOR = {
  mediaType: MediaTypes.empty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  // oras-go writes the content inline as well (ocispec.DescriptorEmptyJSON).
  data: 'e30=',
} as const;
