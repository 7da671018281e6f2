import { defineOverlayBase } from '../../../constructs/overlay/overlay.ts';
import { openstackScs } from './stack.ts';

/**
 * openstack/scs as a base for provider overlays: the variables, patches,
 * addons and worker classes an overlay may name, and the node image fields
 * that say where an image comes from. test/lib/overlay checks these lists
 * against what the stack builds.
 */
export const openstackScsBase = defineOverlayBase(openstackScs, {
  variables: [
    'apiServerLoadBalancer', 'apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs', 'networkExternalID', 'networkMTU', 'dnsNameservers', 'nodeCIDR',
    'disableAPIServerFloatingIP', 'controlPlaneAvailabilityZones', 'controlPlaneOmitAvailabilityZone', 'identityRef', 'imageName', 'imageIsOrc',
    'imageAddVersion', 'controlPlaneFlavor', 'controlPlaneRootDisk', 'controlPlaneServerGroupID', 'securityGroups', 'securityGroupIDs', 'sshKeyName',
    'workerFlavor', 'workerRootDisk', 'workerServerGroupID', 'workerAdditionalBlockDevices', 'workerSecurityGroups', 'workerSecurityGroupIDs',
    'certSANs', 'oidcConfig', 'restrictAnonymousAuth', 'kubeletServingCertificates', 'encryptionAtRestSecretName', 'exposeControlPlaneMetrics',
    'admissionAlwaysPullImages', 'serviceAccountExtendTokenExpiration', 'kubeletPodPidsLimit', 'kubeletSeccompDefault',
    'kubeletStreamingConnectionIdleTimeoutMinutes',
  ],
  patches: [
    'apiServerLoadBalancerOctaviaAmphora', 'apiServerLoadBalancerOctaviaOVN', 'apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs', 'networkExternalID',
    'networkMTU', 'controlPlaneAvailabilityZones', 'controlPlaneOmitAvailabilityZone', 'identityRef', 'nodeCIDRSubnet', 'disableAPIServerFloatingIP',
    'controlPlaneImage', 'controlPlaneFlavor', 'controlPlaneRootDisk', 'controlPlaneServerGroupID', 'securityGroups', 'securityGroupIDs', 'sshKeyName',
    'workerImage', 'workerFlavor', 'workerRootDisk', 'workerServerGroupID', 'workerAdditionalBlockDevices', 'workerSecurityGroups',
    'workerSecurityGroupIDs', 'certSANs', 'oidcConfig', 'unrestrictedAnonymousAuth', 'authenticationConfig', 'kubeletSelfSignedServingCertificates', 'encryptionAtRest',
    'exposeControlPlaneMetrics', 'admissionAlwaysPullImages', 'serviceAccountExtendTokenExpiration', 'kubeletTradeOffs',
  ],
  addons: ['cni', 'kubelet-csr-approver', 'metrics-server', 'csi', 'ccm'],
  workerClasses: ['default-worker'],
  nodeImageSources: {
    name: '/metadata/name',
    url: '/spec/resource/content/download/url',
    sha256: '/spec/resource/content/download/hash/value',
    ubuntu: '/spec/resource/properties/operatingSystem/version',
  },
});
