import { addonContext } from '../../../constructs/addon-context.ts';
import { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import { commonAddons } from '../../common-addons.ts';
import type { OpenStackScsVersions } from './versions.ts';

const CLOUD_PROVIDER_OPENSTACK = 'https://kubernetes.github.io/cloud-provider-openstack';
const UNINITIALIZED = { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' };

/** The core addons of openstack/scs, in order: the common ones, Cinder CSI and the OpenStack CCM. */
export function coreAddons(row: OpenStackScsVersions): ClusterAddon[] {
  const ccm = new ClusterAddon({
    name: 'ccm',
    description: 'OpenStack cloud controller manager',
    chart: { name: 'openstack-cloud-controller-manager', repository: CLOUD_PROVIDER_OPENSTACK, version: row.occm },
    values: {
      secret: { enabled: true, name: 'ccm-cloud-config', create: true },
      nodeSelector: null,
      tolerations: [UNINITIALIZED],
      extraVolumes: [{ name: 'clouds-yaml', secret: { secretName: 'clouds-yaml' } }],
      extraVolumeMounts: [{ name: 'clouds-yaml', readOnly: true, mountPath: '/etc/openstack' }],
      cloudConfig: { global: { 'use-clouds': true } },
    },
    overwrite: { cluster: { name: addonContext.cluster.metadata.name } },
  });
  const csi = new ClusterAddon({
    name: 'csi',
    description: 'OpenStack Cinder CSI',
    chart: { name: 'openstack-cinder-csi', repository: CLOUD_PROVIDER_OPENSTACK, version: row.cinderCsi },
    values: {
      secret: {
        enabled: true,
        name: 'csi-cloud-config',
        create: true,
        filename: 'cloud.conf',
        data: { 'cloud.conf': '[Global]\nuse-clouds = "true"\nclouds-file = /etc/openstack/clouds.yaml' },
      },
      storageClass: { delete: { isDefault: true } },
      csi: {
        plugin: {
          // The controller (attacher, provisioner, resizer, snapshotter) runs
          // on control planes, before the CCM has initialized any node. The
          // chart reads placement only here; the node plugin keeps the
          // chart's `operator: Exists` toleration and runs on every node.
          controllerPlugin: {
            nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
            tolerations: [UNINITIALIZED, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
          },
          volumes: [
            { name: 'clouds-yaml', secret: { secretName: 'clouds-yaml' } },
            { name: 'cloud-conf', secret: { secretName: 'csi-cloud-config' } },
          ],
          volumeMounts: [
            { name: 'clouds-yaml', readOnly: true, mountPath: '/etc/openstack' },
            { name: 'cloud-conf', readOnly: true, mountPath: '/etc/kubernetes' },
            { name: 'cloud-conf', readOnly: true, mountPath: '/etc/config' },
          ],
        },
      },
    },
    overwrite: { clusterID: addonContext.cluster.metadata.name },
  });
  return [...commonAddons(row), csi, ccm];
}
