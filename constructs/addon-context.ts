import { Expr } from './expression.ts';
import { goStringLiteral } from './go-template.ts';
import type { ClusterClassVariable } from './variable.ts';

function objectField<T>(root: string, path: string): Expr<T> {
  return Expr.create<T>({ render: () => `.${root}.${path}` });
}

/**
 * The value of a ClusterClass variable as the workload Cluster sets it
 * (`spec.topology.variables`, where Cluster API's webhook also writes
 * defaults), or the variable's default when the Cluster does not list it.
 * Lets an addon follow a ClusterClass variable, e.g. metrics-server's TLS
 * mode following kubeletServingCertificates.
 */
export function clusterVariable<T extends string | number | boolean>(variable: ClusterClassVariable<T>): Expr<T> {
  const fallback = variable.default;
  if (fallback === undefined) throw new Error(`clusterVariable(${variable.name}) needs a variable with a default`);
  const name = `$${variable.name}`;
  const initial = typeof fallback === 'string' ? goStringLiteral(fallback) : String(fallback);
  const prelude =
    `{{ ${name} := ${initial} }}` +
    `{{ with .Cluster.spec.topology }}{{ range .variables }}{{ if eq .name ${goStringLiteral(variable.name)} }}{{ ${name} = .value }}{{ end }}{{ end }}{{ end }}`;
  return Expr.create<T>({ render: () => name, preludes: [prelude] });
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
