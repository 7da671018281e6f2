import { SUPPORTED_KUBERNETES_MINORS, type KubernetesMinor } from '../kubernetes-version.ts';

/**
 * The apiserver.config.k8s.io versions of AuthenticationConfiguration the
 * API server of each supported minor serves, newest first: structured
 * authentication and AnonymousAuthConfigurableEndpoints are beta (on by
 * default) in 1.32 and 1.33 and GA in 1.34, which serves v1 and still
 * v1beta1. A fact about Kubernetes, kept as data so that both sides read it
 * without sharing code: the generator (authentication.ts) writes the newest,
 * the independent compliance checker (lib/compliance) accepts any served one.
 */
const SERVED: Readonly<Record<KubernetesMinor, readonly [string, ...string[]]>> = {
  '1.32': ['apiserver.config.k8s.io/v1beta1'],
  '1.33': ['apiserver.config.k8s.io/v1beta1'],
  '1.34': ['apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1beta1'],
};

/** The versions Kubernetes `<major>.<minor>` serves, newest first; none outside the supported window. */
export function servedAuthenticationConfigurationVersions(minor: string): readonly string[] {
  const supported = SUPPORTED_KUBERNETES_MINORS.find((m) => m === minor);
  return supported === undefined ? [] : SERVED[supported];
}
