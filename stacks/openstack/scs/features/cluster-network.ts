import type { ApiObject } from 'cdk8s';
import { isSet } from '../../../../constructs/expression.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../../../../constructs/patch.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';
import { OpenStackClusterTemplatePaths as Paths } from '../paths.ts';

export const networkExternalID = new ClusterClassVariable('networkExternalID', {
  schema: VariableSchema.string({
    format: 'uuid4',
    example: 'ebfe5546-f09f-4f42-ab54-094e457d42ec',
    description: 'ID of an external OpenStack network. Needed for public internet access of the VMs when the project has several external networks.',
  }),
});

export const networkMTU = new ClusterClassVariable('networkMTU', {
  schema: VariableSchema.integer({ minimum: 68, example: 1500, description: 'MTU of the private network, to avoid fragmentation.' }),
});

export const dnsNameservers = new ClusterClassVariable('dnsNameservers', {
  schema: VariableSchema.array(VariableSchema.string(), {
    default: ['9.9.9.9', '149.112.112.112'],
    example: ['9.9.9.9', '149.112.112.112'],
    description: 'Nameservers of the OpenStack subnet that is created for the nodes.',
  }),
});

export const nodeCIDR = new ClusterClassVariable('nodeCIDR', {
  schema: VariableSchema.string({
    format: 'cidr',
    default: '10.8.0.0/20',
    example: '10.8.0.0/20',
    description: 'CIDR of the OpenStack subnet to create; CAPO creates a network, this subnet and a router connected to it. If empty, no network is created.',
  }),
});

export const disableAPIServerFloatingIP = new ClusterClassVariable('disableAPIServerFloatingIP', {
  schema: VariableSchema.boolean({ default: false, example: false, description: 'Whether no floating IP is attached to the API server.' }),
});

export const controlPlaneAvailabilityZones = new ClusterClassVariable('controlPlaneAvailabilityZones', {
  schema: VariableSchema.array(VariableSchema.string(), {
    example: ['nova'],
    description: 'Availability zones control plane machines may be deployed to.',
  }),
});

export const controlPlaneOmitAvailabilityZone = new ClusterClassVariable('controlPlaneOmitAvailabilityZone', {
  schema: VariableSchema.boolean({
    example: true,
    description: 'Omit the availability zone when creating control plane nodes, so that the Nova scheduler chooses one from other constraints.',
  }),
});

const identityDefaults = { name: 'openstack', cloudName: 'openstack' } as const;

export const identityRef = new ClusterClassVariable('identityRef', {
  schema: VariableSchema.object(
    {
      name: VariableSchema.string({ default: identityDefaults.name, example: 'openstack', description: 'The name of the Secret that carries the OpenStack clouds.yaml.' }),
      cloudName: VariableSchema.string({ default: identityDefaults.cloudName, example: 'openstack', description: 'The name of the cloud to use from the clouds.yaml.' }),
    },
    { default: {} },
  ),
});

/** The identityRef a template carries before patches run: the variable's defaults. */
export const defaultIdentityRef = identityDefaults;

function clusterPatch(cluster: ApiObject, name: string, description: string, enabledIf: Parameters<typeof isSet>[0] | undefined, patch: JsonPatch): ClusterClassPatch {
  return new ClusterClassPatch({
    name,
    description,
    ...(enabledIf ? { enabledIf: isSet(enabledIf) } : {}),
    definitions: [{ selector: PatchSelector.infrastructureCluster(cluster), jsonPatches: [patch] }],
  });
}

/** Networking, identity and availability zones of the OpenStackClusterTemplate. */
export function clusterNetworkFeature(cluster: ApiObject): ClusterClassFeature {
  return {
    variables: [networkExternalID, networkMTU, dnsNameservers, nodeCIDR, disableAPIServerFloatingIP, controlPlaneAvailabilityZones, controlPlaneOmitAvailabilityZone, identityRef],
    patches: [
      clusterPatch(cluster, 'networkExternalID', 'Sets the ID of an external OpenStack network.', networkExternalID.ref,
        JsonPatch.add(Paths.externalNetwork, PatchValue.template({ id: networkExternalID.ref }))),
      clusterPatch(cluster, 'networkMTU', 'Sets the MTU of the private network.', networkMTU.ref,
        JsonPatch.add(Paths.networkMTU, PatchValue.variable(networkMTU.ref))),
      clusterPatch(cluster, 'controlPlaneAvailabilityZones', 'Sets the availability zones control plane machines may be deployed to.', controlPlaneAvailabilityZones.ref,
        JsonPatch.add(Paths.controlPlaneAvailabilityZones, PatchValue.variable(controlPlaneAvailabilityZones.ref))),
      clusterPatch(cluster, 'controlPlaneOmitAvailabilityZone', 'Omits the availability zone when creating control plane nodes.', controlPlaneOmitAvailabilityZone.ref,
        JsonPatch.add(Paths.controlPlaneOmitAvailabilityZone, PatchValue.variable(controlPlaneOmitAvailabilityZone.ref))),
      clusterPatch(cluster, 'identityRef', 'Sets the OpenStack identity reference (Secret and cloud name).', undefined,
        JsonPatch.replace(Paths.identityRef, PatchValue.variable(identityRef.ref))),
      clusterPatch(cluster, 'nodeCIDRSubnet', 'Creates a network, a subnet with nodeCIDR and dnsNameservers, and a router connected to it.', nodeCIDR.ref,
        JsonPatch.add(Paths.managedSubnets, PatchValue.template([{ cidr: nodeCIDR.ref, dnsNameservers: dnsNameservers.ref }]))),
      clusterPatch(cluster, 'disableAPIServerFloatingIP', 'Controls whether a floating IP is attached to the API server.', disableAPIServerFloatingIP.ref,
        JsonPatch.add(Paths.disableAPIServerFloatingIP, PatchValue.variable(disableAPIServerFloatingIP.ref))),
    ],
  };
}
