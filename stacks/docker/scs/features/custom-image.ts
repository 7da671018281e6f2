import type { ApiObject } from 'cdk8s';
import { ne } from '../../../../constructs/expression.ts';
import type { KubernetesVersion } from '../../../../constructs/kubernetes-version.ts';
import type { MachineDeploymentClass } from '../../../../constructs/machine-deployment-class.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../../../../constructs/patch.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';

/** The customImage variable of one Kubernetes minor: its example is that minor's kind node image. */
function customImageVariable(kubernetes: KubernetesVersion): ClusterClassVariable<string> {
  return new ClusterClassVariable('customImage', {
    schema: VariableSchema.string({
      default: '',
      example: `kindest/node:${kubernetes.toVersionTag()}`,
      description: 'Container image the Docker machines run. If empty, CAPD runs kindest/node:<Kubernetes version>.',
    }),
  });
}

/** JSON pointers into a DockerMachineTemplate. */
const DockerMachineTemplatePaths = {
  customImage: '/spec/template/spec/customImage',
} as const;

export interface CustomImageTargets {
  readonly controlPlane: ApiObject;
  readonly workers: ApiObject;
  readonly workerClasses: readonly MachineDeploymentClass[];
  readonly kubernetes: KubernetesVersion;
}

/** Runs control plane and worker containers from a custom node image. */
export function customImageFeature(targets: CustomImageTargets): ClusterClassFeature {
  const customImage = customImageVariable(targets.kubernetes);
  const set = JsonPatch.add(DockerMachineTemplatePaths.customImage, PatchValue.variable(customImage.ref));
  return {
    variables: [customImage],
    patches: [
      new ClusterClassPatch({
        name: 'customImage',
        description: 'Sets the container image that the control plane and worker Docker machines run.',
        enabledIf: ne(customImage.ref, ''),
        definitions: [
          { selector: PatchSelector.controlPlane(targets.controlPlane), jsonPatches: [set] },
          { selector: PatchSelector.machineDeploymentClasses(targets.workers, targets.workerClasses), jsonPatches: [set] },
        ],
      }),
    ],
  };
}
