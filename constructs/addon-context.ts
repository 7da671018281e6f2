import { Expr } from './expression.ts';
import { goStringLiteral } from './go-template.ts';
import type { ClusterClassVariable } from './variable.ts';

/** `sample`: a value of the field's type, for checks of where it lands (see Expr.outcomes). */
function objectField<T>(root: string, path: string, sample: T): Expr<T> {
  return Expr.create<T>({ render: () => `.${root}.${path}`, objects: [`${root}.${path}`], outcomes: [sample] });
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
  return Expr.create<T>({
    render: () => name,
    preludes: [prelude],
    objects: ['Cluster.spec.topology', 'Cluster.spec.topology.variables'],
    outcomes: typeof fallback === 'boolean' ? [true, false] : [fallback],
  });
}

/**
 * Fields of the workload cluster's objects that the Cluster Stack Operator
 * passes when it renders an addon's `overwrite.yaml` (`.Cluster`,
 * `.ControlPlane`, `.InfraCluster`), typed for use in overwrite values.
 */
export const addonContext = {
  cluster: {
    metadata: {
      name: objectField<string>('Cluster', 'metadata.name', 'cluster'),
      namespace: objectField<string>('Cluster', 'metadata.namespace', 'default'),
    },
    spec: {
      controlPlaneEndpoint: {
        host: objectField<string>('Cluster', 'spec.controlPlaneEndpoint.host', '192.0.2.1'),
        port: objectField<number>('Cluster', 'spec.controlPlaneEndpoint.port', 6443),
      },
      clusterNetwork: {
        serviceDomain: objectField<string>('Cluster', 'spec.clusterNetwork.serviceDomain', 'cluster.local'),
      },
      topology: {
        version: objectField<string>('Cluster', 'spec.topology.version', 'v1.34.7'),
      },
    },
  },
} as const;
