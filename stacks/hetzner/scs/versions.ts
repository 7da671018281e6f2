import type { NodeImageComponents } from '../../../constructs/node-image/components.ts';
import type { StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { KUBERNETES_VERSIONS } from '../../kubernetes-versions.ts';
import { NODE_IMAGE_COMPONENTS } from '../../node-image-components.ts';

/** How the node image of one Kubernetes version is built (see node-images.ts). */
export interface NodeImageBuild {
  /** Ubuntu release the snapshot is built on (image-builder's `build-hcloud-ubuntu-<release>` target). */
  readonly ubuntu: '22.04' | '24.04';
  /** Debian package revision of kubeadm/kubelet/kubectl in pkgs.k8s.io, e.g. `1.1` for `1.34.7-1.1`. */
  readonly debRevision: string;
}

/** Component versions of hetzner/scs per Kubernetes minor. */
export interface HetznerScsVersions extends StackVersionsRow {
  /**
   * hcloud-cloud-controller-manager Helm chart (https://charts.hetzner.cloud).
   * Its version policy (docs/reference/version-policy.md): 1.32 is last
   * supported by v1.30.1; 1.33 and 1.34 by the latest release.
   */
  readonly hcloudCcm: string;
  /**
   * hcloud-csi Helm chart (https://charts.hetzner.cloud). Its version policy:
   * 1.32 is supported by v2.20.2; 1.33 and 1.34 by v2.20.2 and later.
   */
  readonly hcloudCsi: string;
  /** Cilium Helm chart (https://helm.cilium.io/). */
  readonly cilium: string;
  /** kubelet-csr-approver Helm chart (https://postfinance.github.io/kubelet-csr-approver). */
  readonly kubeletCsrApprover: string;
  /** metrics-server Helm chart (https://kubernetes-sigs.github.io/metrics-server/). */
  readonly metricsServer: string;
  /** The node image of this Kubernetes version. */
  readonly image: NodeImageBuild;
  /** Container runtime and node tools the node image is built with. */
  readonly nodeImageComponents: NodeImageComponents;
}

const image: NodeImageBuild = { ubuntu: '24.04', debRevision: '1.1' };

export const versions: readonly HetznerScsVersions[] = [
  { kubernetes: KUBERNETES_VERSIONS['1.32'], nodeImageComponents: NODE_IMAGE_COMPONENTS['1.32'], hcloudCcm: '1.30.1', hcloudCsi: '2.20.2', cilium: '1.18.9', metricsServer: '3.13.0', kubeletCsrApprover: '1.2.14', image },
  { kubernetes: KUBERNETES_VERSIONS['1.33'], nodeImageComponents: NODE_IMAGE_COMPONENTS['1.33'], hcloudCcm: '1.35.0', hcloudCsi: '2.22.1', cilium: '1.18.9', metricsServer: '3.13.0', kubeletCsrApprover: '1.2.14', image },
  { kubernetes: KUBERNETES_VERSIONS['1.34'], nodeImageComponents: NODE_IMAGE_COMPONENTS['1.34'], hcloudCcm: '1.35.0', hcloudCsi: '2.22.1', cilium: '1.18.9', metricsServer: '3.13.0', kubeletCsrApprover: '1.2.14', image },
];
