import { addonContext } from '../constructs/addon-context.ts';
import { ClusterAddon } from '../constructs/cluster-addon.ts';

/**
 * Addons every provider ships the same way. Provider-specific values
 * (e.g. OpenStack's security group rules for VXLAN) are passed in.
 */

/** Cilium as CNI, with its privileged agents in the PodSecurity-exempt kube-system namespace. */
export function ciliumAddon(version: string, extraValues: Readonly<Record<string, unknown>> = {}): ClusterAddon {
  return new ClusterAddon({
    name: 'cni',
    description: 'CNI: Cilium',
    chart: { name: 'cilium', repository: 'https://helm.cilium.io/', version },
    values: {
      namespaceOverride: 'kube-system',
      tls: { secretsNamespace: { name: 'kube-system' } },
      sessionAffinity: true,
      sctp: { enabled: true },
      ipam: { mode: 'kubernetes' },
      gatewayAPI: { enabled: true, secretsNamespace: { name: 'kube-system' } },
      ...extraValues,
    },
  });
}

/** metrics-server, labelled with the cluster's API endpoint like the reference stacks. */
export function metricsServerAddon(version: string): ClusterAddon {
  return new ClusterAddon({
    name: 'metrics-server',
    description: 'Metrics Server',
    chart: { name: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server/', version },
    values: {
      fullnameOverride: 'metrics-server',
      args: ['--kubelet-insecure-tls'],
    },
    overwrite: {
      commonLabels: { domain: addonContext.cluster.spec.controlPlaneEndpoint.host },
    },
  });
}
