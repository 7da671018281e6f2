import type { ApiObject } from 'cdk8s';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../../../../constructs/patch.ts';
import { each } from '../../../../constructs/value-template.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';
import { HetznerClusterTemplatePaths as Paths } from '../paths.ts';

/**
 * The Secret CAPH reads the Hetzner Cloud API token from, as in CAPH's
 * getting-started guide (`kubectl create secret generic hetzner
 * --from-literal=hcloud=$HCLOUD_TOKEN`). The template carries these too.
 */
export const TOKEN_SECRET_DEFAULTS = { name: 'hetzner', key: 'hcloud' } as const;

export const hcloudTokenSecretName = new ClusterClassVariable('hcloudTokenSecretName', {
  schema: VariableSchema.string({
    minLength: 1,
    default: TOKEN_SECRET_DEFAULTS.name,
    example: 'hetzner-project-a',
    description: [
      'Name of the Secret, in the Cluster\'s namespace, that holds the Hetzner Cloud API token. The stack only references it; create it before the Cluster.',
      'CAPH copies it into the workload cluster\'s kube-system namespace under the same name (with the private network\'s ID under the key network), where the cloud controller manager and the CSI driver read it.',
    ].join('\n'),
  }),
});

export const hcloudTokenSecretKey = new ClusterClassVariable('hcloudTokenSecretKey', {
  schema: VariableSchema.string({
    minLength: 1,
    default: TOKEN_SECRET_DEFAULTS.key,
    example: 'token',
    description: 'The key of hcloudTokenSecretName that holds the token.',
  }),
});

export const sshKeys = new ClusterClassVariable('sshKeys', {
  schema: VariableSchema.array(VariableSchema.string({ minLength: 1 }), {
    default: [],
    example: ['capi-admin'],
    description: 'Names of SSH keys, already uploaded to the Hetzner Cloud project, that CAPH installs on every server (for debugging). Empty: no SSH key, and Hetzner mails a root password for each server.',
  }),
});

/** The token Secret reference and the cluster-wide SSH keys of the HetznerClusterTemplate. */
export function accessFeature(cluster: ApiObject): ClusterClassFeature {
  const selector = PatchSelector.infrastructureCluster(cluster);
  return {
    variables: [hcloudTokenSecretName, hcloudTokenSecretKey, sshKeys],
    patches: [
      new ClusterClassPatch({
        name: 'hcloudTokenSecret',
        description: 'Sets the Secret and key CAPH reads the Hetzner Cloud API token from.',
        definitions: [{ selector, jsonPatches: [JsonPatch.replace(Paths.hetznerSecretRef, PatchValue.template({ name: hcloudTokenSecretName.ref, key: { hcloudToken: hcloudTokenSecretKey.ref } }))] }],
      }),
      new ClusterClassPatch({
        name: 'sshKeys',
        description: 'Installs the SSH keys sshKeys on every server.',
        definitions: [{ selector, jsonPatches: [JsonPatch.replace(Paths.sshKeysHCloud, PatchValue.template(each(sshKeys.ref, (name) => ({ name }))))] }],
      }),
    ],
  };
}
