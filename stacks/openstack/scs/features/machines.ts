import type { ApiObject } from 'cdk8s';
import { builtin } from '../../../../constructs/builtin.ts';
import { concat, ifElse, isSet, ne, type Condition } from '../../../../constructs/expression.ts';
import type { KubernetesVersion } from '../../../../constructs/kubernetes-version.ts';
import type { MachineDeploymentClass } from '../../../../constructs/machine-deployment-class.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../../../../constructs/patch.ts';
import { each, when } from '../../../../constructs/value-template.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';
import { OpenStackMachineTemplatePaths as Paths } from '../paths.ts';

/** The default of imageName; node-images.yaml names the ORC image after it. */
export const IMAGE_NAME_DEFAULT = 'ubuntu-capi-image';

/** The image variables of one Kubernetes minor: their descriptions name that minor's image. */
export interface ImageVariables {
  readonly imageName: ClusterClassVariable<string>;
  readonly imageIsOrc: ClusterClassVariable<boolean>;
  readonly imageAddVersion: ClusterClassVariable<boolean>;
}

// One set per version: both machine roles must share the same variable objects.
const imageVariablesByVersion = new Map<string, ImageVariables>();

function imageVariables(kubernetes: KubernetesVersion): ImageVariables {
  const tag = kubernetes.toVersionTag();
  const known = imageVariablesByVersion.get(tag);
  if (known) return known;
  const created: ImageVariables = {
    imageName: new ClusterClassVariable('imageName', {
      schema: VariableSchema.string({
        default: IMAGE_NAME_DEFAULT,
        example: IMAGE_NAME_DEFAULT,
        description: [
          'The base name of the OpenStack image used for servers.',
          'With imageIsOrc, it names an ORC Image resource; otherwise it filters the images of the OpenStack project, where the image must already exist.',
          `With imageAddVersion, the Kubernetes version is appended (e.g. ${IMAGE_NAME_DEFAULT}-${tag}).`,
        ].join('\n'),
      }),
    }),
    imageIsOrc: new ClusterClassVariable('imageIsOrc', {
      schema: VariableSchema.boolean({
        default: false,
        example: true,
        description: 'Whether imageName refers to an ORC Image resource (see node-images.yaml) instead of filtering the images of the OpenStack project.',
      }),
    }),
    imageAddVersion: new ClusterClassVariable('imageAddVersion', {
      schema: VariableSchema.boolean({ default: true, example: true, description: `Append the Kubernetes version to imageName, e.g. imageName-${tag}.` }),
    }),
  };
  imageVariablesByVersion.set(tag, created);
  return created;
}

/** Default flavors; the machine templates carry them too, so the template is valid before patches run. */
export const DEFAULT_FLAVORS = { controlPlane: 'SCS-2V-4', worker: 'SCS-4V-8' } as const;

/** The variables and patches of one machine role (control plane or workers). */
interface MachineRole {
  /** Variable name prefix and patch name prefix: `controlPlane` or `worker`. */
  readonly prefix: 'controlPlane' | 'worker';
  readonly label: string;
  readonly selector: PatchSelector;
  readonly version: typeof builtin.controlPlane.version;
  readonly defaultFlavor: string;
  readonly flavorExample: string;
  readonly kubernetes: KubernetesVersion;
}

function roleVariables(role: MachineRole) {
  return {
    flavor: new ClusterClassVariable(`${role.prefix}Flavor`, {
      schema: VariableSchema.string({
        default: role.defaultFlavor,
        example: role.flavorExample,
        description: `OpenStack instance flavor for ${role.label} (default: ${role.defaultFlavor}, which needs ${role.prefix}RootDisk; or use a flavor with a disk such as ${role.flavorExample}).`,
      }),
    }),
    rootDisk: new ClusterClassVariable(`${role.prefix}RootDisk`, {
      schema: VariableSchema.integer({
        minimum: 0,
        default: 50,
        example: 25,
        description: `Root disk size in GiB for ${role.label}. A volume is created and used instead of the flavor's ephemeral disk: use it for diskless flavors, else set 0.`,
      }),
    }),
    serverGroupID: new ClusterClassVariable(`${role.prefix}ServerGroupID`, {
      schema: VariableSchema.string({
        default: '',
        example: '3adf4e92-bb33-4e44-8ad3-afda9dfe8ec3',
        description: `The server group to assign ${role.label} to (e.g. for anti-affinity).`,
      }),
    }),
  };
}

function patch(name: string, description: string, selector: PatchSelector, enabledIf: Condition | undefined, jsonPatch: JsonPatch): ClusterClassPatch {
  return new ClusterClassPatch({ name, description, ...(enabledIf ? { enabledIf } : {}), definitions: [{ selector, jsonPatches: [jsonPatch] }] });
}

/** Image, flavor, root disk and server group of one machine role. */
function machineRoleFeature(role: MachineRole): { feature: ClusterClassFeature; variables: ReturnType<typeof roleVariables> } {
  const v = roleVariables(role);
  const { imageName, imageIsOrc, imageAddVersion } = imageVariables(role.kubernetes);
  const imageFullName = concat(imageName.ref, ifElse(imageAddVersion.ref, concat('-', role.version), ''));
  return {
    variables: v,
    feature: {
      variables: [imageName, imageIsOrc, imageAddVersion, v.flavor, v.rootDisk, v.serverGroupID],
      patches: [
        patch(`${role.prefix}Image`, `Sets the OpenStack image of ${role.label}.`, role.selector, undefined,
          JsonPatch.add(Paths.image, PatchValue.template(when(imageIsOrc.ref, { imageRef: { name: imageFullName } }, { filter: { name: imageFullName } })))),
        patch(`${role.prefix}Flavor`, `Sets the OpenStack instance flavor of ${role.label}.`, role.selector, ne(v.flavor.ref, ''),
          JsonPatch.replace(Paths.flavor, PatchValue.variable(v.flavor.ref))),
        patch(`${role.prefix}RootDisk`, `Sets the root disk size in GiB of ${role.label}.`, role.selector, isSet(v.rootDisk.ref),
          JsonPatch.add(Paths.rootVolume, PatchValue.template({ sizeGiB: v.rootDisk.ref }))),
        patch(`${role.prefix}ServerGroupID`, `Sets the server group of ${role.label}.`, role.selector, ne(v.serverGroupID.ref, ''),
          JsonPatch.add(Paths.serverGroup, PatchValue.template({ id: v.serverGroupID.ref }))),
      ],
    },
  };
}

/** Control plane machines: image, flavor, root disk, server group. */
export function controlPlaneMachinesFeature(machines: ApiObject, kubernetes: KubernetesVersion) {
  return machineRoleFeature({
    prefix: 'controlPlane',
    label: 'control plane nodes',
    selector: PatchSelector.controlPlane(machines),
    version: builtin.controlPlane.version,
    defaultFlavor: DEFAULT_FLAVORS.controlPlane,
    flavorExample: 'SCS-2V-4-20s',
    kubernetes,
  });
}

export const workerAdditionalBlockDevices = new ClusterClassVariable('workerAdditionalBlockDevices', {
  schema: VariableSchema.array(
    VariableSchema.object(
      {
        name: VariableSchema.string({ description: 'Name of the block device; the disk is available as /dev/disk/by-id/*-<name>.' }),
        sizeGiB: VariableSchema.integer({ default: 20, minimum: 1, description: 'Size in GiB.' }),
        type: VariableSchema.string({ default: '__DEFAULT__', description: 'Cinder volume type; __DEFAULT__ is the cloud\'s default type.' }),
      },
      { required: ['name'] },
    ),
    { default: [], example: [{ name: 'data', sizeGiB: 100, type: '__DEFAULT__' }], description: 'Extra Cinder volumes attached to each worker node.' },
  ),
});

/** Worker machines: image, flavor, root disk, server group, additional block devices. */
export function workerMachinesFeature(machines: ApiObject, classes: readonly MachineDeploymentClass[], kubernetes: KubernetesVersion) {
  const selector = PatchSelector.machineDeploymentClasses(machines, classes);
  const role = machineRoleFeature({
    prefix: 'worker',
    label: 'worker nodes',
    selector,
    version: builtin.machineDeployment.version,
    defaultFlavor: DEFAULT_FLAVORS.worker,
    flavorExample: 'SCS-4V-8-50s',
    kubernetes,
  });
  const feature: ClusterClassFeature = {
    variables: [...role.feature.variables, workerAdditionalBlockDevices],
    patches: [
      ...role.feature.patches,
      patch('workerAdditionalBlockDevices', 'Attaches additional Cinder volumes to worker nodes.', selector, isSet(workerAdditionalBlockDevices.ref),
        JsonPatch.add(Paths.additionalBlockDevices, PatchValue.template(each(workerAdditionalBlockDevices.ref, (d) => ({
          name: d.field('name'),
          sizeGiB: d.field('sizeGiB'),
          storage: { type: 'Volume', volume: { type: d.field('type') } },
        }))))),
    ],
  };
  return { feature, variables: role.variables };
}
