import { and, isSet, type Condition } from '../expression.ts';
import { oidcAuthenticationContent, restrictAnonymousAuth } from '../hardening/authentication.ts';
import { HardeningPaths } from '../hardening/config-files.ts';
import { KubeadmControlPlaneTemplatePaths, type KubeadmControlPlaneTemplate } from '../kubeadm-control-plane-template.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../patch.ts';
import type { KubernetesVersion } from '../kubernetes-version.ts';
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

/** OIDC is on when the issuer and the client are set. */
export const oidcEnabled: Condition = and(isSet(oidcConfig.ref.field('clientID')), isSet(oidcConfig.ref.field('issuerURL')));

/**
 * A second authenticator for the API server: OpenID Connect tokens (SCS
 * standard scs-0217), as the JWT authenticator of the AuthenticationConfiguration
 * the hardening baseline writes (constructs/hardening/authentication.ts). The
 * file excludes the --oidc-* flags, so the patch writes a second file with
 * the anonymous restriction (while restrictAnonymousAuth holds) and the JWT
 * authenticator; the hardening's authenticationConfig patch points
 * --authentication-config at it (one patch owns the flag).
 */
export function oidcFeature(controlPlane: KubeadmControlPlaneTemplate, kubernetes: KubernetesVersion): ClusterClassFeature {
  const config = oidcConfig.ref;
  const claims = {
    issuerURL: config.field('issuerURL'),
    clientID: config.field('clientID'),
    usernameClaim: config.field('usernameClaim'),
    usernamePrefix: config.field('usernamePrefix'),
    groupsClaim: config.field('groupsClaim'),
    groupsPrefix: config.field('groupsPrefix'),
  };
  return {
    variables: [oidcConfig],
    patches: [
      new ClusterClassPatch({
        name: 'oidcConfig',
        description: 'Configure API Server to use external authentication service: the JWT authenticator in the AuthenticationConfiguration file.',
        enabledIf: oidcEnabled,
        definitions: [
          {
            selector: PatchSelector.controlPlane(controlPlane.resource),
            jsonPatches: [
              JsonPatch.add(KubeadmControlPlaneTemplatePaths.appendFile, PatchValue.template({
                path: HardeningPaths.oidcAuthenticationConfig,
                owner: 'root:root',
                permissions: '0600',
                content: oidcAuthenticationContent(kubernetes, claims, restrictAnonymousAuth.ref),
              })),
            ],
          },
        ],
      }),
    ],
  };
}
