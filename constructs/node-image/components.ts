/** A binary a node image installs, pinned by version and the sha256 of its linux/amd64 release file. */
export interface PinnedArtifact {
  readonly version: string;
  /** sha256 (hex) of the upstream release file image-builder downloads for linux/amd64. */
  readonly sha256: string;
}

/**
 * What a node image runs besides the Kubernetes packages: the container
 * runtime and node tools, each pinned by version and checksum. Part of the
 * node image's content, so a change here is a new node image version.
 */
export interface NodeImageComponents {
  /** containerd release tarball `containerd-<v>-linux-amd64.tar.gz`. */
  readonly containerd: PinnedArtifact;
  /** runc binary `runc.amd64`. */
  readonly runc: PinnedArtifact;
  /** crictl tarball `crictl-v<v>-linux-amd64.tar.gz`. */
  readonly crictl: PinnedArtifact;
  /** CNI plugins tarball `cni-plugins-linux-amd64-v<v>.tgz`. */
  readonly cniPlugins: PinnedArtifact;
  /** The sandbox (pause) image kubeadm expects for this Kubernetes minor. */
  readonly pauseImage: string;
}

/** The upstream checksum file of each artifact, and how to pick the line for linux/amd64 from it. */
export function checksumSources(c: NodeImageComponents): readonly { readonly name: string; readonly url: string; readonly file: string; readonly sha256: string }[] {
  return [
    { name: 'containerd', url: `https://github.com/containerd/containerd/releases/download/v${c.containerd.version}/containerd-${c.containerd.version}-linux-amd64.tar.gz.sha256sum`, file: `containerd-${c.containerd.version}-linux-amd64.tar.gz`, sha256: c.containerd.sha256 },
    { name: 'runc', url: `https://github.com/opencontainers/runc/releases/download/v${c.runc.version}/runc.sha256sum`, file: 'runc.amd64', sha256: c.runc.sha256 },
    { name: 'crictl', url: `https://github.com/kubernetes-sigs/cri-tools/releases/download/v${c.crictl.version}/crictl-v${c.crictl.version}-linux-amd64.tar.gz.sha256`, file: `crictl-v${c.crictl.version}-linux-amd64.tar.gz`, sha256: c.crictl.sha256 },
    { name: 'cni-plugins', url: `https://github.com/containernetworking/plugins/releases/download/v${c.cniPlugins.version}/cni-plugins-linux-amd64-v${c.cniPlugins.version}.tgz.sha256`, file: `cni-plugins-linux-amd64-v${c.cniPlugins.version}.tgz`, sha256: c.cniPlugins.sha256 },
  ];
}

const SEMVER = /^\d+\.\d+\.\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Problems with a components table entry; `where` names it. */
export function componentProblems(c: NodeImageComponents, where: string): string[] {
  const problems: string[] = [];
  for (const [name, a] of Object.entries({ containerd: c.containerd, runc: c.runc, crictl: c.crictl, cniPlugins: c.cniPlugins })) {
    if (!SEMVER.test(a.version)) problems.push(`${where}.${name}.version: expected <major>.<minor>.<patch> without 'v', got '${a.version}'`);
    if (!SHA256.test(a.sha256)) problems.push(`${where}.${name}.sha256: expected 64 lower-case hex digits, got '${a.sha256}'`);
  }
  if (!/^[a-z0-9.-]+(\/[a-z0-9._-]+)+:[\w.-]+$/.test(c.pauseImage)) problems.push(`${where}.pauseImage: expected <registry>/<path>:<tag>, got '${c.pauseImage}'`);
  return problems;
}
