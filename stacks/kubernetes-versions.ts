import type { KubernetesMinor } from '../constructs/kubernetes-version.ts';

/**
 * The Kubernetes patch version shipped for each supported minor (the
 * window is constructs/kubernetes-version.ts): the single table every
 * stack's versions table takes its `kubernetes` from.
 *
 * 1.33 and 1.34 follow the reference stack (scs2 versions.yaml). For 1.32
 * the reference publishes no node image of 1.32.13, so 1.32 ships 1.32.5,
 * the newest 1.32 release with a published image and checksum.
 */
export const KUBERNETES_VERSIONS = {
  '1.32': '1.32.5',
  '1.33': '1.33.10',
  '1.34': '1.34.7',
} as const satisfies Record<KubernetesMinor, string>;
