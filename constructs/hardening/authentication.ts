import { dumpYaml } from '../cluster-addon.ts';
import type { Expr, RenderContext } from '../expression.ts';
import { escapeGoTemplate, goStringLiteral } from '../go-template.ts';
import type { KubernetesVersion } from '../kubernetes-version.ts';
import { servedAuthenticationConfigurationVersions } from './authentication-versions.ts';
import { TemplateNode, type DependencyCollector } from '../value-template.ts';
import { ClusterClassVariable } from '../variable.ts';
import { VariableSchema } from '../variable-schema.ts';

/**
 * The API server's AuthenticationConfiguration (--authentication-config):
 * anonymous requests limited to health checks and join discovery (N1,
 * CIS 1.2.1), and the OIDC authenticator (scs-0217) in the same file, since
 * the file excludes both --anonymous-auth and the --oidc-* flags.
 */

/**
 * kubelet and load balancer probes reach /livez, /readyz and /healthz
 * without credentials; `kubeadm join` reads the cluster-info ConfigMap
 * anonymously (token discovery) and checks it against the token's JWS
 * signature and the CA pin.
 */
export const ANONYMOUS_PATHS = ['/livez', '/readyz', '/healthz', '/api/v1/namespaces/kube-public/configmaps/cluster-info'] as const;

export const restrictAnonymousAuth = new ClusterClassVariable('restrictAnonymousAuth', {
  schema: VariableSchema.boolean({
    default: true,
    example: false,
    description: 'N1 (CIS 1.2.1): allow anonymous requests only to /livez, /readyz, /healthz and the kube-public cluster-info ConfigMap (kubeadm join discovery), through the AuthenticationConfiguration file. false: anonymous requests reach every endpoint, as kubeadm\'s default (RBAC still decides what system:anonymous may do).',
  }),
});

/** The configuration's API version: the newest the API server serves (authentication-versions.ts). */
function authenticationApiVersion(kubernetes: KubernetesVersion): string {
  const [newest] = servedAuthenticationConfigurationVersions(kubernetes.minorVersion);
  if (newest === undefined) throw new Error(`Kubernetes ${kubernetes.toString()}: no AuthenticationConfiguration version is known for it (AnonymousAuthConfigurableEndpoints needs 1.32 or newer)`);
  return newest;
}

const anonymousSection = () => ({ enabled: true, conditions: ANONYMOUS_PATHS.map((path) => ({ path })) });

/** The file the templates carry: anonymous requests restricted, no other authenticator. */
export function authenticationConfiguration(kubernetes: KubernetesVersion): string {
  return dumpYaml({ apiVersion: authenticationApiVersion(kubernetes), kind: 'AuthenticationConfiguration', anonymous: anonymousSection() });
}

/** restrictAnonymousAuth false: anonymous requests on every path, as without the file. */
export function unrestrictedAuthenticationConfiguration(kubernetes: KubernetesVersion): string {
  return dumpYaml({ apiVersion: authenticationApiVersion(kubernetes), kind: 'AuthenticationConfiguration', anonymous: { enabled: true } });
}

/** What the OIDC file needs from oidcConfig. */
export interface OidcClaims {
  readonly issuerURL: Expr<unknown>;
  readonly clientID: Expr<unknown>;
  readonly usernameClaim: Expr<unknown>;
  readonly usernamePrefix: Expr<unknown>;
  readonly groupsClaim: Expr<unknown>;
  readonly groupsPrefix: Expr<unknown>;
}

/** Text inside a JSON string: escaped for JSON, then for the Go template. */
const text = (s: string) => escapeGoTemplate(JSON.stringify(s).slice(1, -1));

/**
 * A variable's value as a JSON string inside the content string: toJson
 * quotes and escapes it for the inner document, toJson again escapes that
 * for the outer string, whose quotes are then cut off.
 */
const quoted = (pipeline: string) => `{{ ${pipeline} | toJson | toJson | trimPrefix "\\"" | trimSuffix "\\"" }}`;

/**
 * The content of the AuthenticationConfiguration with OIDC, as a JSON string
 * in a patch's value template: the JWT authenticator from oidcConfig, and the
 * anonymous restriction while restrictAnonymousAuth holds. The template has
 * no control structures, so the file entry keeps its shape whatever the
 * variables; the anonymous section is one `ternary` over fixed text.
 */
class OidcAuthenticationContent extends TemplateNode {
  public constructor(
    private readonly apiVersion: string,
    private readonly claims: OidcClaims,
    private readonly restrict: Expr<boolean>,
  ) {
    super();
  }

  /** --oidc-username-prefix=- meant "no prefix"; the file says so with "". */
  private usernamePrefix(ctx: RenderContext): string {
    const prefix = this.claims.usernamePrefix.renderArgument(ctx);
    return `ternary "" ${prefix} (eq ${prefix} "-")`;
  }

  public render(ctx: RenderContext): string {
    const c = this.claims;
    const anonymous = text(`"anonymous":${JSON.stringify(anonymousSection())},`);
    const parts = [
      text(`{"apiVersion":${JSON.stringify(this.apiVersion)},"kind":"AuthenticationConfiguration",`),
      `{{ ternary ${goStringLiteral(anonymous)} "" ${this.restrict.renderArgument(ctx)} }}`,
      text('"jwt":[{"issuer":{"url":'),
      quoted(c.issuerURL.render(ctx)),
      text(',"audiences":['),
      quoted(c.clientID.render(ctx)),
      text(']},"claimMappings":{"username":{"claim":'),
      quoted(c.usernameClaim.render(ctx)),
      text(',"prefix":'),
      quoted(this.usernamePrefix(ctx)),
      text('},"groups":{"claim":'),
      quoted(c.groupsClaim.render(ctx)),
      text(',"prefix":'),
      quoted(c.groupsPrefix.render(ctx)),
      text('}}}]}\n'),
    ];
    return `"${parts.join('')}"`;
  }

  public collect(into: DependencyCollector): void {
    for (const e of [this.restrict, ...Object.values(this.claims)]) into.add(e);
  }
}

export function oidcAuthenticationContent(kubernetes: KubernetesVersion, claims: OidcClaims, restrict: Expr<boolean>): TemplateNode {
  return new OidcAuthenticationContent(authenticationApiVersion(kubernetes), claims, restrict);
}
