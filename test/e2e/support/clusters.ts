import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isObject, parseObjects, type Json, type JsonObject } from './yaml.ts';

/** A ClusterClass variable as dist/ writes it. */
export interface ClassVariable {
  readonly name: string;
  readonly schema: Json | undefined;
  readonly default: Json | undefined;
  readonly example: Json | undefined;
  readonly enum: readonly Json[] | undefined;
  readonly type: string | undefined;
}

export interface DistClusterClass {
  readonly file: string;
  /** The ClusterClass and every template, in file order. */
  readonly objects: JsonObject[];
  readonly clusterClass: JsonObject;
  readonly variables: ClassVariable[];
}

export function readDistClusterClass(distDir: string): DistClusterClass {
  const file = join(distDir, 'cluster-class.yaml');
  const objects = parseObjects(readFileSync(file, 'utf8'), file);
  const clusterClass = objects.find((o) => o.kind === 'ClusterClass');
  if (!clusterClass) throw new Error(`${file}: no ClusterClass`);
  const spec = isObject(clusterClass.spec) ? clusterClass.spec : {};
  const variables = (Array.isArray(spec.variables) ? spec.variables : []).map((v): ClassVariable => {
    if (!isObject(v) || typeof v.name !== 'string') throw new Error(`${file}: malformed variable ${JSON.stringify(v)}`);
    const schema = isObject(v.schema) && isObject(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
    return {
      name: v.name,
      schema,
      default: schema?.default,
      example: schema?.example,
      enum: Array.isArray(schema?.enum) ? schema.enum : undefined,
      type: typeof schema?.type === 'string' ? schema.type : undefined,
    };
  });
  return { file, objects, clusterClass, variables };
}

/**
 * Values for the variables whose example equals their default (or that have
 * no example), used by the "every variable set to a non-default value" cases.
 * A variable not listed here and without a distinct example gets the
 * negation of its boolean default, or another enum value; any other variable
 * makes the test fail until it is added here.
 */
export const NON_DEFAULT_OVERRIDES: Readonly<Record<string, Json>> = {
  // openstack/scs
  apiServerLoadBalancer: 'octavia-amphora', // the branch that also uses apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs
  dnsNameservers: ['1.1.1.1', '8.8.8.8'],
  nodeCIDR: '10.9.0.0/20',
  identityRef: { name: 'e2e-clouds-yaml', cloudName: 'e2e-cloud' },
  imageName: 'e2e-node-image',
  oidcConfig: {
    clientID: 'e2e-client',
    issuerURL: 'https://dex.e2e.example',
    usernameClaim: 'email',
    groupsClaim: 'roles',
    usernamePrefix: 'user:',
    groupsPrefix: 'group:',
  },
};

/** A non-default value for every variable, or the problems that prevent one. */
export function nonDefaultValues(variables: readonly ClassVariable[]): { values: Record<string, Json>; problems: string[] } {
  const values: Record<string, Json> = {};
  const problems: string[] = [];
  for (const v of variables) {
    let value: Json | undefined;
    const override = NON_DEFAULT_OVERRIDES[v.name];
    if (override !== undefined) value = override;
    else if (v.example !== undefined && !isDeepStrictEqual(v.example, v.default)) value = v.example;
    else if (v.type === 'boolean') value = !(v.default ?? false);
    else if (v.enum) value = v.enum.find((e) => !isDeepStrictEqual(e, v.default));
    if (value === undefined) {
      problems.push(`variable ${v.name}: no non-default value (no example that differs from its default); add one to NON_DEFAULT_OVERRIDES in test/e2e/support/clusters.ts`);
    } else if (isDeepStrictEqual(value, v.default)) {
      problems.push(`variable ${v.name}: the chosen value ${JSON.stringify(value)} equals its default`);
    } else {
      values[v.name] = value;
    }
  }
  return { values, problems };
}

export interface ExampleClusterOptions {
  readonly name: string;
  /** @default none: clusterctl's plan puts every input object into one namespace */
  readonly namespace?: string;
  readonly className: string;
  readonly version: string;
  readonly variables?: Readonly<Record<string, Json>>;
  readonly controlPlaneEndpoint?: { readonly host: string; readonly port: number };
}

/** A workload Cluster using a ClusterClass: one control plane node, one default-worker MachineDeployment. */
export function exampleCluster(o: ExampleClusterOptions): JsonObject {
  const variables = Object.entries(o.variables ?? {}).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) },
    spec: {
      clusterNetwork: {
        pods: { cidrBlocks: ['192.168.0.0/16'] },
        services: { cidrBlocks: ['10.96.0.0/12'] },
        serviceDomain: 'cluster.local',
      },
      ...(o.controlPlaneEndpoint ? { controlPlaneEndpoint: { ...o.controlPlaneEndpoint } } : {}),
      topology: {
        class: o.className,
        version: o.version,
        controlPlane: { replicas: 1 },
        workers: { machineDeployments: [{ class: 'default-worker', name: 'md-0', replicas: 1 }] },
        ...(variables.length > 0 ? { variables } : {}),
      },
    },
  };
}
