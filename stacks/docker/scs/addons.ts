import type { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import { ciliumAddon, metricsServerAddon } from '../../common-addons.ts';
import type { DockerScsVersions } from './versions.ts';

/** The core addons of docker/scs: CNI and metrics-server (CAPD needs no CCM or CSI). */
export function coreAddons(row: DockerScsVersions): { readonly cni: ClusterAddon; readonly metricsServer: ClusterAddon } {
  return { cni: ciliumAddon(row.cilium), metricsServer: metricsServerAddon(row.metricsServer) };
}
