import type { ApiObject } from 'cdk8s';
import { and, eq, isSet } from '../../../../constructs/expression.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../../../../constructs/patch.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';
import { OpenStackClusterTemplatePaths as Paths } from '../paths.ts';

export const apiServerLoadBalancer = new ClusterClassVariable('apiServerLoadBalancer', {
  schema: VariableSchema.string({
    enum: ['none', 'octavia-amphora', 'octavia-ovn'],
    default: 'octavia-ovn',
    example: 'octavia-ovn',
    description: [
      'The load balancer Cluster API places in front of the Kubernetes API server (load balancers for Services of type LoadBalancer are configured by the CCM, independently).',
      'none: no load balancer.',
      'octavia-amphora: OpenStack Octavia with the amphora provider.',
      'octavia-ovn (default): OpenStack Octavia with the ovn provider.',
    ].join('\n'),
  }),
});

export const apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs = new ClusterClassVariable('apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs', {
  schema: VariableSchema.array(VariableSchema.string({ format: 'cidr' }), {
    example: ['192.168.10.0/24'],
    description: 'Restricts access to the Kubernetes API server on a network level. Include at least the outgoing IP of the management cluster, or CAPO cannot reconcile the cluster. Requires the amphora provider in Octavia >= v2.12.',
  }),
});

/** The API server load balancer variants: none, Octavia amphora (optionally CIDR-restricted), Octavia OVN. */
export function apiServerLoadBalancerFeature(cluster: ApiObject): ClusterClassFeature {
  const selector = PatchSelector.infrastructureCluster(cluster);
  const octavia = (provider: 'amphora' | 'ovn') => [
    JsonPatch.replace(Paths.apiServerLoadBalancerEnabled, PatchValue.literal(true)),
    JsonPatch.add(Paths.apiServerLoadBalancerProvider, PatchValue.literal(provider)),
  ];
  return {
    variables: [apiServerLoadBalancer, apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs],
    patches: [
      new ClusterClassPatch({
        name: 'apiServerLoadBalancerOctaviaAmphora',
        description: 'Enables an Octavia load balancer with the amphora provider when apiServerLoadBalancer is octavia-amphora.',
        enabledIf: eq(apiServerLoadBalancer.ref, 'octavia-amphora'),
        definitions: [{ selector, jsonPatches: octavia('amphora') }],
      }),
      new ClusterClassPatch({
        name: 'apiServerLoadBalancerOctaviaOVN',
        description: 'Enables an Octavia load balancer with the ovn provider when apiServerLoadBalancer is octavia-ovn.',
        enabledIf: eq(apiServerLoadBalancer.ref, 'octavia-ovn'),
        definitions: [{ selector, jsonPatches: octavia('ovn') }],
      }),
      new ClusterClassPatch({
        name: 'apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs',
        description: 'Restricts the amphora load balancer to apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs.',
        enabledIf: and(isSet(apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs.ref), eq(apiServerLoadBalancer.ref, 'octavia-amphora')),
        definitions: [
          { selector, jsonPatches: [JsonPatch.add(Paths.apiServerLoadBalancerAllowedCIDRs, PatchValue.variable(apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs.ref))] },
        ],
      }),
    ],
  };
}
