import type { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import { ciliumAddon, kubeletCsrApproverAddon, metricsServerAddon } from '../../common-addons.ts';
import type { DockerScsVersions } from './versions.ts';

/** The core addons of docker/scs: CNI, the kubelet CSR approver and metrics-server (CAPD needs no CCM or CSI). */
export function coreAddons(row: DockerScsVersions): { readonly cni: ClusterAddon; readonly csrApprover: ClusterAddon; readonly metricsServer: ClusterAddon } {
  return { cni: ciliumAddon(row.cilium), csrApprover: kubeletCsrApproverAddon(row.kubeletCsrApprover), metricsServer: metricsServerAddon(row.metricsServer) };
}
