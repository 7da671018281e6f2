/** JSON pointers into CAPH v1beta1 templates, in one place so patches never paste path literals. */
export const HetznerClusterTemplatePaths = {
  controlPlaneRegions: '/spec/template/spec/controlPlaneRegions',
  loadBalancerType: '/spec/template/spec/controlPlaneLoadBalancer/type',
  loadBalancerRegion: '/spec/template/spec/controlPlaneLoadBalancer/region',
  hcloudNetwork: '/spec/template/spec/hcloudNetwork',
  placementGroups: '/spec/template/spec/hcloudPlacementGroups',
  placementGroupsAppend: '/spec/template/spec/hcloudPlacementGroups/-',
  hetznerSecretRef: '/spec/template/spec/hetznerSecretRef',
  sshKeysHCloud: '/spec/template/spec/sshKeys/hcloud',
} as const;

export const HCloudMachineTemplatePaths = {
  type: '/spec/template/spec/type',
  imageName: '/spec/template/spec/imageName',
  placementGroupName: '/spec/template/spec/placementGroupName',
} as const;
