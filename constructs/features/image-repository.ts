import { ne } from '../expression.ts';
import { KubeadmControlPlaneTemplatePaths, type KubeadmControlPlaneTemplate } from '../kubeadm-control-plane-template.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../patch.ts';
import { ClusterClassVariable } from '../variable.ts';
import { VariableSchema } from '../variable-schema.ts';

export const imageRepository = new ClusterClassVariable('imageRepository', {
  schema: VariableSchema.string({
    default: '',
    example: 'registry.k8s.io',
    description: 'imageRepository sets the container registry to pull the control plane images from. If empty, kubeadm uses its default (registry.k8s.io).',
  }),
});

/** The registry kubeadm pulls control plane images from (air-gapped or mirrored registries). */
export function imageRepositoryFeature(controlPlane: KubeadmControlPlaneTemplate): ClusterClassFeature {
  return {
    variables: [imageRepository],
    patches: [
      new ClusterClassPatch({
        name: 'imageRepository',
        description: 'Sets the imageRepository used for the KubeadmControlPlane.',
        enabledIf: ne(imageRepository.ref, ''),
        definitions: [
          {
            selector: PatchSelector.controlPlane(controlPlane.resource),
            jsonPatches: [JsonPatch.add(KubeadmControlPlaneTemplatePaths.imageRepository, PatchValue.variable(imageRepository.ref))],
          },
        ],
      }),
    ],
  };
}
