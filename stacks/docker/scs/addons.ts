import type { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import { commonAddons } from '../../common-addons.ts';
import type { DockerScsVersions } from './versions.ts';

/** The core addons of docker/scs, in order: the common ones (CAPD needs no CCM or CSI). */
export function coreAddons(row: DockerScsVersions): ClusterAddon[] {
  return commonAddons(row);
}
