/** JSON pointers into CAPO v1beta1 templates, in one place so patches never paste path literals. */
export const OpenStackClusterTemplatePaths = {
  identityRef: '/spec/template/spec/identityRef',
  apiServerLoadBalancerEnabled: '/spec/template/spec/apiServerLoadBalancer/enabled',
  apiServerLoadBalancerProvider: '/spec/template/spec/apiServerLoadBalancer/provider',
  apiServerLoadBalancerAllowedCIDRs: '/spec/template/spec/apiServerLoadBalancer/allowedCIDRs',
  externalNetwork: '/spec/template/spec/externalNetwork',
  networkMTU: '/spec/template/spec/networkMTU',
  managedSubnets: '/spec/template/spec/managedSubnets',
  disableAPIServerFloatingIP: '/spec/template/spec/disableAPIServerFloatingIP',
  controlPlaneAvailabilityZones: '/spec/template/spec/controlPlaneAvailabilityZones',
  controlPlaneOmitAvailabilityZone: '/spec/template/spec/controlPlaneOmitAvailabilityZone',
} as const;

export const OpenStackMachineTemplatePaths = {
  image: '/spec/template/spec/image',
  flavor: '/spec/template/spec/flavor',
  rootVolume: '/spec/template/spec/rootVolume',
  serverGroup: '/spec/template/spec/serverGroup',
  securityGroups: '/spec/template/spec/securityGroups',
  sshKeyName: '/spec/template/spec/sshKeyName',
  additionalBlockDevices: '/spec/template/spec/additionalBlockDevices',
} as const;
