import { builtinReference, type Expr } from './expression.ts';

/**
 * The builtin variables Cluster API (v1beta1) passes to every patch, typed.
 * `machineDeployment.*` is only set when the patch selects a template of a
 * MachineDeployment class; the ClusterClass refuses other uses.
 *
 * @see https://cluster-api.sigs.k8s.io/tasks/experimental-features/cluster-class/write-clusterclass#builtin-variables
 */
export const builtin = {
  cluster: {
    name: builtinReference<string>('cluster', 'name'),
    namespace: builtinReference<string>('cluster', 'namespace'),
    uid: builtinReference<string>('cluster', 'uid'),
    topology: {
      version: builtinReference<string>('cluster', 'topology.version'),
      class: builtinReference<string>('cluster', 'topology.class'),
    },
    network: {
      serviceDomain: builtinReference<string>('cluster', 'network.serviceDomain'),
      services: builtinReference<readonly string[]>('cluster', 'network.services'),
      pods: builtinReference<readonly string[]>('cluster', 'network.pods'),
      ipFamily: builtinReference<string>('cluster', 'network.ipFamily'),
    },
  },
  controlPlane: {
    version: builtinReference<string>('controlPlane', 'version'),
    name: builtinReference<string>('controlPlane', 'name'),
    replicas: builtinReference<number>('controlPlane', 'replicas'),
    machineTemplate: {
      infrastructureRef: {
        name: builtinReference<string>('controlPlane', 'machineTemplate.infrastructureRef.name'),
      },
    },
  },
  machineDeployment: {
    version: builtinReference<string>('machineDeployment', 'version'),
    class: builtinReference<string>('machineDeployment', 'class'),
    name: builtinReference<string>('machineDeployment', 'name'),
    topologyName: builtinReference<string>('machineDeployment', 'topologyName'),
    replicas: builtinReference<number>('machineDeployment', 'replicas'),
  },
} as const satisfies Record<string, Record<string, Expr<unknown> | object>>;
