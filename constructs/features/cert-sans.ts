import { isSet } from '../expression.ts';
import { KubeadmControlPlaneTemplatePaths, type KubeadmControlPlaneTemplate } from '../kubeadm-control-plane-template.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../patch.ts';
import { ClusterClassVariable } from '../variable.ts';
import { VariableSchema } from '../variable-schema.ts';

export const certSANs = new ClusterClassVariable('certSANs', {
  schema: VariableSchema.array(VariableSchema.string(), {
    default: [],
    example: ['mydomain.example'],
    description: 'certSANs sets extra Subject Alternative Names for the API Server signing cert.',
  }),
});

/** Extra Subject Alternative Names on the API server certificate. */
export function certSANsFeature(controlPlane: KubeadmControlPlaneTemplate): ClusterClassFeature {
  return {
    variables: [certSANs],
    patches: [
      new ClusterClassPatch({
        name: 'certSANs',
        description: 'certSANs sets extra Subject Alternative Names for the API Server signing cert.',
        enabledIf: isSet(certSANs.ref),
        definitions: [
          {
            selector: PatchSelector.controlPlane(controlPlane.resource),
            jsonPatches: [JsonPatch.add(KubeadmControlPlaneTemplatePaths.certSANs, PatchValue.variable(certSANs.ref))],
          },
        ],
      }),
    ],
  };
}
