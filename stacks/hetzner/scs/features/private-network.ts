import type { ApiObject } from 'cdk8s';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../../../../constructs/patch.ts';
import { when } from '../../../../constructs/value-template.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';
import { HetznerClusterTemplatePaths as Paths } from '../paths.ts';
import { networkZoneOf, region } from './location.ts';

/** CAPH's own defaults; the template carries them too. */
export const PRIVATE_NETWORK_DEFAULTS = { cidr: '10.0.0.0/16', subnetCIDR: '10.0.0.0/24' } as const;

export const privateNetwork = new ClusterClassVariable('privateNetwork', {
  schema: VariableSchema.boolean({
    default: true,
    example: false,
    description: [
      'Whether CAPH creates a Hetzner Cloud private network for the nodes (named like the HetznerCluster, in the network zone of region).',
      'Nodes then talk to each other, and Cilium tunnels pod traffic, over the private network; the cloud controller manager reports the private addresses as InternalIP and load balancers reach the nodes through it.',
      'Without it, all node traffic uses the public addresses.',
    ].join('\n'),
  }),
});

export const privateNetworkCIDR = new ClusterClassVariable('privateNetworkCIDR', {
  schema: VariableSchema.string({
    format: 'cidr',
    default: PRIVATE_NETWORK_DEFAULTS.cidr,
    example: '10.10.0.0/16',
    description: 'IP range of the private network (RFC 1918). Must not overlap the Cluster\'s pod and service CIDRs.',
  }),
});

export const privateNetworkSubnetCIDR = new ClusterClassVariable('privateNetworkSubnetCIDR', {
  schema: VariableSchema.string({
    format: 'cidr',
    default: PRIVATE_NETWORK_DEFAULTS.subnetCIDR,
    example: '10.10.0.0/24',
    description: 'IP range of the subnet the servers get their private addresses from; within privateNetworkCIDR.',
  }),
});

/** The HCloud private network: on or off, its CIDRs, its zone derived from region. */
export function privateNetworkFeature(cluster: ApiObject): ClusterClassFeature {
  return {
    variables: [privateNetwork, privateNetworkCIDR, privateNetworkSubnetCIDR],
    patches: [
      new ClusterClassPatch({
        name: 'privateNetwork',
        description: 'Enables the private network with privateNetworkCIDR and privateNetworkSubnetCIDR in the network zone of region, or disables it.',
        definitions: [{
          selector: PatchSelector.infrastructureCluster(cluster),
          jsonPatches: [JsonPatch.replace(Paths.hcloudNetwork, PatchValue.template(when(
            privateNetwork.ref,
            { enabled: true, cidrBlock: privateNetworkCIDR.ref, subnetCidrBlock: privateNetworkSubnetCIDR.ref, networkZone: networkZoneOf(region.ref) },
            { enabled: false },
          )))],
        }],
      }),
    ],
  };
}
