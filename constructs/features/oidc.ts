import { and, isSet } from '../expression.ts';
import { KubeadmControlPlaneTemplatePaths, type KubeadmControlPlaneTemplate } from '../kubeadm-control-plane-template.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../patch.ts';
import { ClusterClassVariable } from '../variable.ts';
import { VariableSchema } from '../variable-schema.ts';

export const oidcConfig = new ClusterClassVariable('oidcConfig', {
  schema: VariableSchema.object({
    clientID: VariableSchema.string({ example: 'kubectl', description: 'A client id that all tokens must be issued for.' }),
    issuerURL: VariableSchema.string({
      example: 'https://dex.k8s.scs.community',
      pattern: '^https://',
      description: 'URL of the provider that allows the API server to discover public signing keys. Only URLs that use the https:// scheme are accepted. This is typically the provider\'s discovery URL, changed to have an empty path.',
    }),
    usernameClaim: VariableSchema.string({
      example: 'preferred_username',
      default: 'preferred_username',
      description: 'JWT claim to use as the user name. By default sub, which is expected to be a unique identifier of the end user. Claims other than email will be prefixed with the issuer URL to prevent naming clashes with other plugins.',
    }),
    groupsClaim: VariableSchema.string({ example: 'groups', default: 'groups', description: 'JWT claim to use as the user\'s group. If the claim is present it must be an array of strings.' }),
    usernamePrefix: VariableSchema.string({
      example: 'oidc:',
      default: 'oidc:',
      description: 'Prefix prepended to username claims to prevent clashes with existing names (such as system: users). The value - disables all prefixing.',
    }),
    groupsPrefix: VariableSchema.string({
      example: 'oidc:',
      default: 'oidc:',
      description: 'Prefix prepended to group claims to prevent clashes with existing names (such as system: groups).',
    }),
  }),
});

const OIDC_ARGS = [
  ['oidc-client-id', 'clientID'],
  ['oidc-issuer-url', 'issuerURL'],
  ['oidc-username-claim', 'usernameClaim'],
  ['oidc-groups-claim', 'groupsClaim'],
  ['oidc-username-prefix', 'usernamePrefix'],
  ['oidc-groups-prefix', 'groupsPrefix'],
] as const;

/** A second authenticator for the API server: OpenID Connect tokens (SCS standard scs-0217). */
export function oidcFeature(controlPlane: KubeadmControlPlaneTemplate): ClusterClassFeature {
  const config = oidcConfig.ref;
  return {
    variables: [oidcConfig],
    patches: [
      new ClusterClassPatch({
        name: 'oidcConfig',
        description: 'Configure API Server to use external authentication service.',
        enabledIf: and(isSet(config.field('clientID')), isSet(config.field('issuerURL'))),
        definitions: [
          {
            selector: PatchSelector.controlPlane(controlPlane.resource),
            jsonPatches: OIDC_ARGS.map(([flag, field]) =>
              JsonPatch.add(KubeadmControlPlaneTemplatePaths.extraArg('apiServer', flag), PatchValue.variable(config.field(field))),
            ),
          },
        ],
      }),
    ],
  };
}
