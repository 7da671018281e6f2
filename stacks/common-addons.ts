import { addonContext, clusterVariable } from '../constructs/addon-context.ts';
import { ClusterAddon } from '../constructs/cluster-addon.ts';
import type { ClusterStack } from '../constructs/cluster-stack.ts';
import { chooseList } from '../constructs/expression.ts';
import { hardeningVariables } from '../constructs/hardening/kubernetes-hardening.ts';

/**
 * Addons every provider ships the same way. Provider-specific values
 * (e.g. OpenStack's security group rules for VXLAN) are passed in.
 */

/**
 * Cilium as CNI, with its privileged agents in the PodSecurity-exempt
 * kube-system namespace. The TLS and Gateway API secrets live in
 * kube-system too, so the chart must not create that namespace: with
 * `secretsNamespace.create` (true by default) Cilium 1.18.9's
 * templates/cilium-secrets-namespace.yaml renders a `Namespace kube-system`,
 * which a Helm install (CAAPH) refuses to adopt and an apply would relabel.
 */
function ciliumAddon(version: string, extraValues: Readonly<Record<string, unknown>> = {}): ClusterAddon {
  return new ClusterAddon({
    name: 'cni',
    description: 'CNI: Cilium',
    chart: { name: 'cilium', repository: 'https://helm.cilium.io/', version },
    values: {
      namespaceOverride: 'kube-system',
      tls: { secretsNamespace: { create: false, name: 'kube-system' } },
      // Not in 1.18.9's values.yaml, but its cilium-configmap.yaml reads it
      // (enable-session-affinity, an agent flag of the load balancer).
      sessionAffinity: true,
      sctp: { enabled: true },
      ipam: { mode: 'kubernetes' },
      gatewayAPI: { enabled: true, secretsNamespace: { create: false, name: 'kube-system' } },
      ...extraValues,
    },
  });
}

/**
 * metrics-server, labelled with the cluster's API endpoint like the
 * reference stacks. It verifies kubelet certificates whenever kubelets have
 * CA-signed serving certificates (kubeletServingCertificates, hardening N2),
 * and only skips verification when the Cluster turned them off.
 */
function metricsServerAddon(version: string): ClusterAddon {
  const servingCertificates = clusterVariable(hardeningVariables.kubeletServingCertificates);
  return new ClusterAddon({
    name: 'metrics-server',
    description: 'Metrics Server',
    chart: { name: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server/', version },
    values: { fullnameOverride: 'metrics-server' },
    overwrite: {
      args: chooseList(servingCertificates, [], ['--kubelet-insecure-tls']),
      commonLabels: { domain: addonContext.cluster.spec.controlPlaneEndpoint.host },
    },
  });
}

/**
 * kubelet-csr-approver (hardening N2): approves kubelet serving certificate
 * requests whose names and addresses match the node. It must run before the
 * cloud provider initializes nodes and on control planes, hence the
 * tolerations. Node names are not resolvable in every cloud's DNS, so the
 * DNS check is bypassed; the name pattern and the requesting node's identity
 * are still checked.
 */
function kubeletCsrApproverAddon(version: string): ClusterAddon {
  return new ClusterAddon({
    name: 'kubelet-csr-approver',
    description: 'Approves kubelet serving certificate requests (kubeletServingCertificates)',
    chart: { name: 'kubelet-csr-approver', repository: 'https://postfinance.github.io/kubelet-csr-approver', version },
    values: {
      providerRegex: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
      bypassDnsResolution: true,
      tolerations: [
        { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.cloudprovider.kubernetes.io/uninitialized', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' },
      ],
    },
  });
}

/** Versions of the addons every stack ships. */
export interface CommonAddonVersions {
  readonly cilium: string;
  readonly kubeletCsrApprover: string;
  readonly metricsServer: string;
}

/**
 * The addons every stack ships, in the order they are applied: the CNI
 * first (nothing else schedules without it), then the kubelet CSR approver
 * and metrics-server. A provider appends its CCM and CSI driver.
 */
export function commonAddons(versions: CommonAddonVersions): ClusterAddon[] {
  return [ciliumAddon(versions.cilium), kubeletCsrApproverAddon(versions.kubeletCsrApprover), metricsServerAddon(versions.metricsServer)];
}

/**
 * Ships the addons in this order and applies every one in both hook
 * stages: after the control plane is up, and before each upgrade, so an
 * upgrade updates each addon and the operator deletes none of them.
 */
export function shipAddons(stack: ClusterStack, addons: readonly ClusterAddon[]): void {
  for (const addon of addons) stack.addAddon(addon);
  const apply = addons.map((addon) => ({ addon }));
  stack.setAddonStages({ AfterControlPlaneInitialized: apply, BeforeClusterUpgrade: apply });
}
