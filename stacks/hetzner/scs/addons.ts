import { clusterVariable } from '../../../constructs/addon-context.ts';
import { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import { ifElse } from '../../../constructs/expression.ts';
import { commonAddons } from '../../common-addons.ts';
import { hcloudTokenSecretKey, hcloudTokenSecretName } from './features/access.ts';
import { region } from './features/location.ts';
import { privateNetwork } from './features/private-network.ts';
import type { HetznerScsVersions } from './versions.ts';

/** Hetzner's Helm repository, serving both hcloud-cloud-controller-manager and hcloud-csi. */
const HETZNER_CHARTS = 'https://charts.hetzner.cloud';

/**
 * The core addons of hetzner/scs: Cilium, the kubelet CSR approver,
 * metrics-server, the Hetzner Cloud CSI driver and cloud controller manager.
 *
 * Both Hetzner components read the API token from the Secret CAPH copies
 * into the workload cluster's kube-system namespace: the same name and key
 * as the Cluster's hcloudTokenSecretName/hcloudTokenSecretKey, plus the
 * private network's ID under `network` when privateNetwork is on. Those
 * follow the Cluster's variables, so they are per-cluster values.
 */
export function coreAddons(row: HetznerScsVersions): ClusterAddon[] {
  const secretName = clusterVariable(hcloudTokenSecretName);
  const secretKey = clusterVariable(hcloudTokenSecretKey);
  const location = clusterVariable(region);
  const ccm = new ClusterAddon({
    name: 'ccm',
    description: 'Hetzner Cloud controller manager',
    chart: { name: 'hcloud-cloud-controller-manager', repository: HETZNER_CHARTS, version: row.hcloudCcm },
    values: {
      // Cilium carries pod traffic in its overlay; the CCM's routes controller
      // (networking.enabled) would need Cilium's native routing instead.
      networking: { enabled: false },
      env: { HCLOUD_NETWORK_ROUTES_ENABLED: { value: 'false' } },
    },
    overwrite: {
      env: {
        HCLOUD_TOKEN: { valueFrom: { secretKeyRef: { name: secretName, key: secretKey } } },
        // Absent without a private network: the optional reference leaves HCLOUD_NETWORK unset.
        HCLOUD_NETWORK: { valueFrom: { secretKeyRef: { name: secretName, key: 'network', optional: true } } },
        HCLOUD_LOAD_BALANCERS_LOCATION: { value: location },
        HCLOUD_LOAD_BALANCERS_USE_PRIVATE_IP: { value: ifElse(clusterVariable(privateNetwork), 'true', 'false') },
      },
    },
  });
  const csi = new ClusterAddon({
    name: 'csi',
    description: 'Hetzner Cloud CSI driver',
    chart: { name: 'hcloud-csi', repository: HETZNER_CHARTS, version: row.hcloudCsi },
    values: {
      storageClasses: [{ name: 'hcloud-volumes', defaultStorageClass: true, reclaimPolicy: 'Delete' }],
    },
    overwrite: {
      controller: {
        hcloudToken: { existingSecret: { name: secretName, key: secretKey } },
        hcloudVolumeDefaultLocation: location,
      },
    },
  });
  return [...commonAddons(row), csi, ccm];
}
