/**
 * A full Kubernetes release version (`1.34.7`). Only major.minor appears in
 * names and paths; the patch version is content (metadata.yaml, the
 * ClusterClass, node images).
 */
export class KubernetesVersion {
  private static readonly FORM = /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

  public static parse(text: string): KubernetesVersion {
    const m = KubernetesVersion.FORM.exec(text);
    if (!m) throw new Error(`invalid Kubernetes version '${text}'; expected <major>.<minor>.<patch>, e.g. 1.34.7`);
    return new KubernetesVersion(Number(m[1]), Number(m[2]), Number(m[3]));
  }

  private constructor(
    public readonly major: number,
    public readonly minor: number,
    public readonly patch: number,
  ) {}

  /** `1.34.7` */
  public toString(): string {
    return `${this.major}.${this.minor}.${this.patch}`;
  }

  /** `v1.34.7`, as kubeadm, Cluster API and metadata.yaml write it. */
  public toVersionTag(): string {
    return `v${this.toString()}`;
  }

  /** `1.34` */
  public get minorVersion(): string {
    return `${this.major}.${this.minor}`;
  }

  /** `1-34`, as it appears in cluster stack names. */
  public get minorSlug(): string {
    return `${this.major}-${this.minor}`;
  }
}

/**
 * The Kubernetes minors this generator supports, oldest first: the one table
 * of the support window. Which patch version each stack ships per minor is
 * provider data (stacks/kubernetes-versions.ts).
 */
export const SUPPORTED_KUBERNETES_MINORS = ['1.32', '1.33', '1.34'] as const;

export type KubernetesMinor = (typeof SUPPORTED_KUBERNETES_MINORS)[number];

/** Throws unless the version's minor lies in the supported window. */
export function assertSupportedMinor(version: KubernetesVersion, where: string): void {
  if (!SUPPORTED_KUBERNETES_MINORS.some((m) => m === version.minorVersion)) {
    throw new Error(`${where}: Kubernetes ${version.toString()} is outside the supported window; expected ${SUPPORTED_KUBERNETES_MINORS[0]} to ${SUPPORTED_KUBERNETES_MINORS.at(-1)}`);
  }
}
