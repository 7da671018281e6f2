import type { StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { KUBERNETES_VERSIONS } from '../../kubernetes-versions.ts';

/** Component versions of docker/scs per Kubernetes minor. */
export interface DockerScsVersions extends StackVersionsRow {
  /** Cilium Helm chart (https://helm.cilium.io/). */
  readonly cilium: string;
  /** kubelet-csr-approver Helm chart (https://postfinance.github.io/kubelet-csr-approver). */
  readonly kubeletCsrApprover: string;
  /** metrics-server Helm chart (https://kubernetes-sigs.github.io/metrics-server/). */
  readonly metricsServer: string;
}

export const versions: readonly DockerScsVersions[] = [
  { kubernetes: KUBERNETES_VERSIONS['1.32'], cilium: '1.18.9', metricsServer: '3.13.0', kubeletCsrApprover: '1.2.14' },
  { kubernetes: KUBERNETES_VERSIONS['1.33'], cilium: '1.18.9', metricsServer: '3.13.0', kubeletCsrApprover: '1.2.14' },
  { kubernetes: KUBERNETES_VERSIONS['1.34'], cilium: '1.18.9', metricsServer: '3.13.0', kubeletCsrApprover: '1.2.14' },
];
