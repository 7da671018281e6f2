import type { BundleFile } from '../cluster-addon.ts';
import { KERNEL_SYSCTLS } from '../hardening/config-files.ts';
import type { KubernetesVersion } from '../kubernetes-version.ts';
import { checksumSources, componentProblems, type NodeImageComponents } from './components.ts';
import { checkPackerVariables, IMAGE_BUILDER, type ImageBuilderContract, type ImageBuilderTarget } from './image-builder-contract.ts';

/**
 * How a stack's node images reach a cloud, the three ways cluster stacks
 * publish them:
 * - `url`: a finished image the provider imports from a URL (with checksum);
 * - `artifact`: an image uploaded beside the release;
 * - `build-instructions`: the files to build it in the user's own project,
 *   where a cloud can import no image (e.g. Hetzner snapshots).
 * Build instructions ship with `url` and `build-instructions` stacks alike,
 * so anyone can rebuild the image a URL points to.
 */
export type NodeImageRelease = 'url' | 'artifact' | 'build-instructions';

export interface NodeImageBuildProps {
  /** The image-builder target (`make build-<target>-<build>`). */
  readonly target: ImageBuilderTarget;
  /** The OS build of that target, e.g. `ubuntu-2404`. */
  readonly build: string;
  readonly kubernetes: KubernetesVersion;
  /** Container runtime and node tools, from stacks/node-image-components.ts. */
  readonly components: NodeImageComponents;
  /** The name the built image gets, which the ClusterClass's image variable points at. */
  readonly imageName: string;
  /**
   * Kernel parameters the kubelet needs before it starts, baked into the
   * image's kernel command line (`sysctl.<key>=<value>`, Linux >= 5.8).
   * @default the sysctls protectKernelDefaults needs (baseline N4); `{}` for none
   */
  readonly kernelParameters?: Readonly<Record<string, string>>;
  /** Further Packer variables of the target (e.g. `image_disk_format`). @default none */
  readonly variables?: Readonly<Record<string, string>>;
  /** The image-builder release the variables are checked against. @default the pinned IMAGE_BUILDER */
  readonly contract?: ImageBuilderContract;
}

/** Files of the build instructions, below the bundle's `node-image/` folder. */
export const NodeImageBuildFiles = {
  dir: 'node-image',
  packerVariables: 'packer-variables.json',
  checksums: 'SHA256SUMS',
  script: 'build.sh',
} as const;

const KERNEL_PARAMETER = /^[a-z0-9_.]+$/;

/**
 * The instructions to build one node image with kubernetes-sigs/image-builder:
 * a Packer variable file with every version this stack pins, the checksums of
 * what image-builder downloads, and the command line. Every variable is
 * checked at construction against the pinned image-builder release.
 */
export class NodeImageBuild {
  public readonly props: NodeImageBuildProps;
  public readonly contract: ImageBuilderContract;

  public constructor(props: NodeImageBuildProps, where: string) {
    this.props = props;
    this.contract = props.contract ?? IMAGE_BUILDER;
    const target = this.contract.targets[props.target];
    const problems = componentProblems(props.components, `${where}.components`);
    if (!target.builds.includes(props.build)) {
      problems.push(`${where}.build: image-builder ${this.contract.source.tag} has no build '${props.build}' for ${props.target} (${target.builds.join(', ')})`);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(props.imageName)) problems.push(`${where}.imageName: '${props.imageName}' is not a valid image name`);
    for (const [key, value] of Object.entries(this.kernelParameters)) {
      if (!KERNEL_PARAMETER.test(key) || !/^[A-Za-z0-9._-]+$/.test(value)) problems.push(`${where}.kernelParameters: '${key}=${value}' cannot be a kernel command line sysctl`);
    }
    problems.push(...checkPackerVariables(this.contract, props.target, this.packerVariables(), `${where} packer variable`));
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }

  /** The Packer user variables, sorted by name. */
  public packerVariables(): Record<string, string> {
    const { kubernetes: k, components: c } = this.props;
    const series = `v${k.major}.${k.minor}`;
    const kernel = Object.entries(this.kernelParameters).map(([key, value]) => `sysctl.${key}=${value}`);
    const variables: Record<string, string> = {
      ...(this.props.variables ?? {}),
      containerd_version: c.containerd.version,
      crictl_version: c.crictl.version,
      image_name: this.props.imageName,
      // http: the CNI plugins come at the pinned version, not whatever the package repository carries.
      kubernetes_cni_semver: `v${c.cniPlugins.version}`,
      kubernetes_cni_source_type: 'http',
      kubernetes_deb_version: `${k.toString()}-1.1`,
      kubernetes_semver: `v${k.toString()}`,
      kubernetes_series: series,
      pause_image: c.pauseImage,
      runc_version: c.runc.version,
      ...(kernel.length > 0 ? { extra_kernel_boot_params: kernel.join(' ') } : {}),
    };
    return Object.fromEntries(Object.entries(variables).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  public get kernelParameters(): Readonly<Record<string, string>> {
    return this.props.kernelParameters ?? KERNEL_SYSCTLS;
  }

  /** `make` target image-builder builds this image with. */
  public get makeTarget(): string {
    return `build-${this.props.target}-${this.props.build}`;
  }

  public files(): BundleFile[] {
    const { dir, packerVariables, checksums, script } = NodeImageBuildFiles;
    const sums = checksumSources(this.props.components);
    return [
      { path: `${dir}/${packerVariables}`, content: `${JSON.stringify(this.packerVariables(), null, 2)}\n` },
      { path: `${dir}/${checksums}`, content: sums.map((s) => `${s.sha256}  ${s.file}\n`).join('') },
      { path: `${dir}/${script}`, content: this.script() },
    ];
  }

  private script(): string {
    const { source } = this.contract;
    const sums = checksumSources(this.props.components);
    const checks = sums.map((s) => `verify ${s.name} '${s.url}' '${s.file}'`).join('\n');
    return `#!/usr/bin/env bash
# Builds the node image ${this.props.imageName} (Kubernetes v${this.props.kubernetes.toString()}) with
# ${source.repository} ${source.tag} (${source.commit}):
#
#   IMAGE_BUILDER=<checkout at ${source.tag}> bash build.sh [your var file ...]
#
# Your var files carry what only your cloud knows (for OpenStack: source_image,
# flavor, networks, ...; for Hetzner: the token in HCLOUD_TOKEN). Before it
# builds, the script checks that the checksums image-builder will trust for
# each download equal the ones this cluster stack pins (SHA256SUMS).
set -euo pipefail
here=$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)
ib=\${IMAGE_BUILDER:?set IMAGE_BUILDER to a checkout of ${source.repository} at ${source.tag}}
if [[ $(git -C "$ib" rev-parse HEAD) != ${source.commit} ]]; then
  echo "build.sh: $ib is not at ${source.tag} (${source.commit})" >&2
  exit 1
fi
verify() { # name, upstream checksum file, file name in it
  local pinned upstream
  pinned=$(awk -v f="$3" '$2 == f { print $1 }' "$here/${NodeImageBuildFiles.checksums}")
  upstream=$(curl -fsSL "$2" | awk -v f="$3" 'NF == 1 || $2 == f || $2 == "*" f { print $1; exit }')
  if [[ -z $pinned || $pinned != "$upstream" ]]; then
    echo "build.sh: $1: upstream sha256 '$upstream' of $3 is not the pinned '$pinned'" >&2
    exit 1
  fi
}
${checks}
var_files="$here/${NodeImageBuildFiles.packerVariables}"
for f in "$@"; do var_files+=" $(cd "$(dirname "$f")" && pwd)/$(basename "$f")"; done
cd "$ib/images/capi"
PACKER_VAR_FILES="$var_files" make ${this.makeTarget}
`;
  }
}
