import type { ApiObject } from 'cdk8s';
import { eq, ifElse, ne } from '../../../../constructs/expression.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../../../../constructs/patch.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';
import { HetznerClusterTemplatePaths as Paths } from '../paths.ts';

/** Hetzner Cloud locations CAPH v1.1.8 accepts (the enum of controlPlaneRegions and the load balancer region). */
const HCLOUD_LOCATIONS = ['fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin'] as const;

/** Defaults the templates carry too, so they are valid before patches run. */
const LOCATION_DEFAULTS = { region: 'fsn1', loadBalancerType: 'lb11' } as const;

export const region = new ClusterClassVariable('region', {
  schema: VariableSchema.string({
    enum: HCLOUD_LOCATIONS,
    default: LOCATION_DEFAULTS.region,
    example: 'nbg1',
    description: [
      'The Hetzner Cloud location of the servers, the control plane load balancer (unless loadBalancerRegion is set) and the private network\'s zone.',
      'fsn1 (Falkenstein), nbg1 (Nuremberg), hel1 (Helsinki): network zone eu-central; ash (Ashburn): us-east; hil (Hillsboro): us-west; sin (Singapore): ap-southeast.',
      'The cloud controller manager creates load balancers for Services in this location, and the CSI driver creates volumes here by default.',
    ].join('\n'),
  }),
});

export const loadBalancerType = new ClusterClassVariable('loadBalancerType', {
  schema: VariableSchema.string({
    enum: ['lb11', 'lb21', 'lb31'],
    default: LOCATION_DEFAULTS.loadBalancerType,
    example: 'lb21',
    description: 'The Hetzner Cloud load balancer type in front of the Kubernetes API servers (lb11: 5 targets, lb21: 75, lb31: 150).',
  }),
});

export const loadBalancerRegion = new ClusterClassVariable('loadBalancerRegion', {
  schema: VariableSchema.string({
    enum: ['', ...HCLOUD_LOCATIONS],
    default: '',
    example: 'hel1',
    description: 'The location of the control plane load balancer. Empty (default): the same as region.',
  }),
});

/**
 * The private network zone of a location (Hetzner Cloud networks span the
 * locations of one zone), so users set the region only.
 */
export function networkZoneOf(location: typeof region.ref) {
  return ifElse(eq(location, 'ash'), 'us-east', ifElse(eq(location, 'hil'), 'us-west', ifElse(eq(location, 'sin'), 'ap-southeast', 'eu-central')));
}

/** Region of the servers and the control plane load balancer's type and location. */
export function locationFeature(cluster: ApiObject): ClusterClassFeature {
  const selector = PatchSelector.infrastructureCluster(cluster);
  return {
    variables: [region, loadBalancerType, loadBalancerRegion],
    patches: [
      new ClusterClassPatch({
        name: 'region',
        description: 'Places the control plane servers in region (controlPlaneRegions, the cluster\'s failure domain).',
        definitions: [{ selector, jsonPatches: [JsonPatch.replace(Paths.controlPlaneRegions, PatchValue.template([region.ref]))] }],
      }),
      new ClusterClassPatch({
        name: 'loadBalancerType',
        description: 'Sets the type of the control plane load balancer.',
        definitions: [{ selector, jsonPatches: [JsonPatch.replace(Paths.loadBalancerType, PatchValue.variable(loadBalancerType.ref))] }],
      }),
      new ClusterClassPatch({
        name: 'loadBalancerRegion',
        description: 'Places the control plane load balancer in loadBalancerRegion, or in region when that is empty.',
        definitions: [{ selector, jsonPatches: [JsonPatch.replace(Paths.loadBalancerRegion, PatchValue.template(ifElse(ne(loadBalancerRegion.ref, ''), loadBalancerRegion.ref, region.ref)))] }],
      }),
    ],
  };
}
