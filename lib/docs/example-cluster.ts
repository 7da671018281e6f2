import yaml from 'js-yaml';
import type { BundleContent } from './bundle-content.ts';

/** Worker class the example uses when the ClusterClass has it; else its first worker class. */
export const DEFAULT_WORKER_CLASS = 'default-worker';

/** Kubernetes' own defaults (kubeadm's service CIDR, Cilium/Calico's usual pod CIDR); neither overlaps the stacks' node networks. */
export const EXAMPLE_NETWORK = { pods: '192.168.0.0/16', services: '10.96.0.0/12' } as const;

export interface ExampleCluster {
  readonly apiVersion: 'cluster.x-k8s.io/v1beta1';
  readonly kind: 'Cluster';
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly clusterNetwork: {
      readonly pods: { readonly cidrBlocks: readonly string[] };
      readonly services: { readonly cidrBlocks: readonly string[] };
    };
    readonly topology: {
      readonly class: string;
      readonly version: string;
      readonly controlPlane: { readonly replicas: number };
      readonly workers: { readonly machineDeployments: readonly { readonly class: string; readonly name: string; readonly replicas: number }[] };
      readonly variables?: readonly { readonly name: string; readonly value: unknown }[];
    };
  };
}

/**
 * A Cluster that uses the bundle's ClusterClass: three control plane nodes,
 * three workers of the default worker class, and every variable that has an
 * example set to it (the others are left out, so they get their defaults).
 * Derived from the ClusterClass itself, so it cannot list a variable twice
 * or miss one that was added.
 */
export function exampleCluster(content: BundleContent): ExampleCluster {
  const workerClasses = (content.clusterClass.workers?.machineDeployments ?? []).map((md) => md.class);
  const workerClass = workerClasses.includes(DEFAULT_WORKER_CLASS) ? DEFAULT_WORKER_CLASS : workerClasses[0];
  const variables = (content.clusterClass.variables ?? [])
    .filter((v) => v.schema.openAPIV3Schema.example !== undefined)
    .map((v) => ({ name: v.name, value: structuredClone(v.schema.openAPIV3Schema.example) }));
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name: 'my-cluster' },
    spec: {
      clusterNetwork: {
        pods: { cidrBlocks: [EXAMPLE_NETWORK.pods] },
        services: { cidrBlocks: [EXAMPLE_NETWORK.services] },
      },
      topology: {
        class: content.clusterClassName,
        version: content.kubernetes,
        controlPlane: { replicas: 3 },
        workers: { machineDeployments: workerClass === undefined ? [] : [{ class: workerClass, name: 'md-0', replicas: 3 }] },
        ...(variables.length > 0 ? { variables } : {}),
      },
    },
  };
}

/** The example as YAML, keys in the order people write them (not sorted). */
export function renderExampleCluster(cluster: ExampleCluster): string {
  return yaml.dump(cluster, { lineWidth: -1, noRefs: true, quotingType: '"' });
}
