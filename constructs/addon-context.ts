import { Expr } from './expression.ts';

function objectField<T>(root: string, path: string): Expr<T> {
  return Expr.create<T>({ render: () => `.${root}.${path}` });
}

/**
 * Fields of the workload cluster's objects that the Cluster Stack Operator
 * passes when it renders an addon's `overwrite.yaml` (`.Cluster`,
 * `.ControlPlane`, `.InfraCluster`), typed for use in overwrite values.
 */
export const addonContext = {
  cluster: {
    metadata: {
      name: objectField<string>('Cluster', 'metadata.name'),
      namespace: objectField<string>('Cluster', 'metadata.namespace'),
    },
    spec: {
      controlPlaneEndpoint: {
        host: objectField<string>('Cluster', 'spec.controlPlaneEndpoint.host'),
        port: objectField<number>('Cluster', 'spec.controlPlaneEndpoint.port'),
      },
      clusterNetwork: {
        serviceDomain: objectField<string>('Cluster', 'spec.clusterNetwork.serviceDomain'),
      },
      topology: {
        version: objectField<string>('Cluster', 'spec.topology.version'),
      },
    },
  },
} as const;
