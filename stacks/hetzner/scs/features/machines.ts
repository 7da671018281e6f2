import type { ApiObject } from 'cdk8s';
import { builtin } from '../../../../constructs/builtin.ts';
import { concat, ifElse } from '../../../../constructs/expression.ts';
import type { MachineDeploymentClass } from '../../../../constructs/machine-deployment-class.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../../../../constructs/patch.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';
import { HCloudMachineTemplatePaths as MachinePaths, HetznerClusterTemplatePaths as ClusterPaths } from '../paths.ts';

/** Default server types; the machine templates carry them too, so they are valid before patches run. */
export const DEFAULT_SERVER_TYPES = { controlPlane: 'cpx32', worker: 'cpx42' } as const;

/** Base name of the node images (node-images.ts); with imageAddVersion the Kubernetes version follows. */
export const DEFAULT_IMAGE_NAME = 'ubuntu-2404-kube';

// Hetzner server type names: a family (cx, cpx, ccx, cax, …) and a number.
const SERVER_TYPE_PATTERN = '^[a-z]+[0-9]+[a-z]*$';

export const imageName = new ClusterClassVariable('imageName', {
  schema: VariableSchema.string({
    minLength: 1,
    default: DEFAULT_IMAGE_NAME,
    example: 'ubuntu-2404-kube-gpu',
    description: [
      'The node image: the name or the caph-image-name label of a snapshot in the Hetzner Cloud project (see node-images.yaml for how the stack\'s images are built).',
      'With imageAddVersion, the Kubernetes version is appended (e.g. ubuntu-2404-kube-v1.34.7).',
    ].join('\n'),
  }),
});

export const imageAddVersion = new ClusterClassVariable('imageAddVersion', {
  schema: VariableSchema.boolean({ default: true, example: false, description: 'Append the Kubernetes version to imageName, e.g. imageName-v1.34.7, so that an upgrade switches to the image of the new version.' }),
});

export const controlPlaneServerType = new ClusterClassVariable('controlPlaneServerType', {
  schema: VariableSchema.string({
    pattern: SERVER_TYPE_PATTERN,
    default: DEFAULT_SERVER_TYPES.controlPlane,
    example: 'ccx23',
    description: `Hetzner Cloud server type of the control plane nodes (default: ${DEFAULT_SERVER_TYPES.controlPlane}, see hcloud server-type list). Not every type is offered in every location.`,
  }),
});

export const workerServerType = new ClusterClassVariable('workerServerType', {
  schema: VariableSchema.string({
    pattern: SERVER_TYPE_PATTERN,
    default: DEFAULT_SERVER_TYPES.worker,
    example: 'ccx33',
    description: `Hetzner Cloud server type of the worker nodes (default: ${DEFAULT_SERVER_TYPES.worker}, see hcloud server-type list). Not every type is offered in every location.`,
  }),
});

export const controlPlanePlacementGroup = new ClusterClassVariable('controlPlanePlacementGroup', {
  schema: VariableSchema.boolean({
    default: true,
    example: false,
    description: 'Put the control plane servers into a spread placement group (control-plane), so no two of them run on the same physical host. A spread group holds at most 10 servers.',
  }),
});

export const workerPlacementGroup = new ClusterClassVariable('workerPlacementGroup', {
  schema: VariableSchema.boolean({
    default: false,
    example: true,
    description: 'Put the default-worker servers into a spread placement group (default-worker), so no two of them run on the same physical host. A spread group holds at most 10 servers, so this limits the worker count.',
  }),
});

/** The placement group names the patches create and reference. */
const PLACEMENT_GROUPS = { controlPlane: 'control-plane', worker: 'default-worker' } as const;

export interface MachineTemplates {
  readonly cluster: ApiObject;
  readonly controlPlane: ApiObject;
  readonly workers: ApiObject;
  readonly workerClasses: readonly MachineDeploymentClass[];
}

function imageFullName(version: typeof builtin.controlPlane.version) {
  return concat(imageName.ref, ifElse(imageAddVersion.ref, concat('-', version), ''));
}

/** Server types, node image and placement groups of control plane and worker servers. */
export function machinesFeature(t: MachineTemplates): ClusterClassFeature {
  const cp = PatchSelector.controlPlane(t.controlPlane);
  const workers = PatchSelector.machineDeploymentClasses(t.workers, t.workerClasses);
  const cluster = PatchSelector.infrastructureCluster(t.cluster);
  const placement = (group: string) => JsonPatch.add(ClusterPaths.placementGroupsAppend, PatchValue.literal({ name: group, type: 'spread' }));
  return {
    variables: [imageName, imageAddVersion, controlPlaneServerType, workerServerType, controlPlanePlacementGroup, workerPlacementGroup],
    patches: [
      new ClusterClassPatch({
        name: 'controlPlaneImage',
        description: 'Sets the node image of the control plane servers: imageName, plus the Kubernetes version with imageAddVersion.',
        definitions: [{ selector: cp, jsonPatches: [JsonPatch.replace(MachinePaths.imageName, PatchValue.template(imageFullName(builtin.controlPlane.version)))] }],
      }),
      new ClusterClassPatch({
        name: 'workerImage',
        description: 'Sets the node image of the worker servers: imageName, plus the Kubernetes version of their MachineDeployment with imageAddVersion.',
        definitions: [{ selector: workers, jsonPatches: [JsonPatch.replace(MachinePaths.imageName, PatchValue.template(imageFullName(builtin.machineDeployment.version)))] }],
      }),
      new ClusterClassPatch({
        name: 'controlPlaneServerType',
        description: 'Sets the server type of the control plane nodes.',
        definitions: [{ selector: cp, jsonPatches: [JsonPatch.replace(MachinePaths.type, PatchValue.variable(controlPlaneServerType.ref))] }],
      }),
      new ClusterClassPatch({
        name: 'workerServerType',
        description: 'Sets the server type of the worker nodes.',
        definitions: [{ selector: workers, jsonPatches: [JsonPatch.replace(MachinePaths.type, PatchValue.variable(workerServerType.ref))] }],
      }),
      new ClusterClassPatch({
        name: 'controlPlanePlacementGroup',
        description: `Creates the spread placement group ${PLACEMENT_GROUPS.controlPlane} and puts the control plane servers into it.`,
        enabledIf: controlPlanePlacementGroup.ref,
        definitions: [
          { selector: cluster, jsonPatches: [placement(PLACEMENT_GROUPS.controlPlane)] },
          { selector: cp, jsonPatches: [JsonPatch.add(MachinePaths.placementGroupName, PatchValue.literal(PLACEMENT_GROUPS.controlPlane))] },
        ],
      }),
      new ClusterClassPatch({
        name: 'workerPlacementGroup',
        description: `Creates the spread placement group ${PLACEMENT_GROUPS.worker} and puts the default-worker servers into it.`,
        enabledIf: workerPlacementGroup.ref,
        definitions: [
          { selector: cluster, jsonPatches: [placement(PLACEMENT_GROUPS.worker)] },
          { selector: workers, jsonPatches: [JsonPatch.add(MachinePaths.placementGroupName, PatchValue.literal(PLACEMENT_GROUPS.worker))] },
        ],
      }),
    ],
  };
}
