import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { shippedBundlePaths } from '../../shipped.ts';
import { CrdSchemaRegistry, validateValue } from '../../../lib/pipeline/crd-schema.ts';
import { readBundleContent } from '../../../lib/docs/bundle-content.ts';
import { exampleCluster } from '../../../lib/docs/example-cluster.ts';
import { pageFiles, type DocsSource } from '../../../lib/docs/generate.ts';
import { classVariables, fencedBlockAfter, shippedSources, type ClassVariable } from './fixture.ts';

const sources: readonly DocsSource[] = shippedSources();
let registry: CrdSchemaRegistry;

beforeAll(() => {
  registry = CrdSchemaRegistry.load();
});

interface ClusterLike {
  spec?: { topology?: { class?: string; version?: string; variables?: { name: string; value: unknown }[] } };
}

/**
 * Everything the API server and Cluster API's webhook would refuse in an
 * example Cluster: CRD schema problems, and variable values that do not
 * match the ClusterClass's schema for them (or name no variable).
 */
function problemsOf(cluster: unknown, variables: readonly ClassVariable[]): string[] {
  const problems = registry.validate(cluster, 'example').map((e) => e.toString());
  for (const [i, v] of ((cluster as ClusterLike).spec?.topology?.variables ?? []).entries()) {
    const declared = variables.find((d) => d.name === v.name);
    if (!declared) {
      problems.push(`spec.topology.variables[${i}]: '${v.name}' is not a variable of the ClusterClass`);
      continue;
    }
    for (const e of validateValue(declared.schema.openAPIV3Schema, v.value)) problems.push(`spec.topology.variables[${i}] (${v.name}) at ${e.path || '(root)'}: ${e.message}`);
  }
  return problems;
}

/** The example Cluster as a reader copies it: the YAML block of the Markdown page. */
function exampleFromPage(source: DocsSource): unknown {
  const page = pageFiles([source]).find((f) => f.path.endsWith('.md'));
  if (!page) throw new Error(`${source.bundle.path}: no Markdown page`);
  return yaml.load(fencedBlockAfter(String(page.content), 'Example Cluster', 'yaml'));
}

describe('example Cluster of every page', () => {
  it('covers every registered stack × minor', () => {
    expect(sources.map((s) => s.bundle.path).sort()).toEqual(shippedBundlePaths());
  });

  for (const source of sources) {
    describe(source.bundle.path, () => {
      const variables = classVariables(source.bundle);
      const cluster = exampleFromPage(source) as ClusterLike & Record<string, unknown>;

      it('parses and validates against the Cluster CRD and the ClusterClass variable schemas', () => {
        expect(cluster.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
        expect(cluster.kind).toBe('Cluster');
        expect(problemsOf(cluster, variables)).toEqual([]);
      });

      it('uses the ClusterClass, its Kubernetes version, 3 control plane nodes and 3 default-worker nodes', () => {
        const topology = cluster.spec?.topology as Record<string, unknown>;
        expect(topology.class).toBe(source.bundle.clusterClassName);
        expect(topology.version).toBe(`v${source.bundle.identity.kubernetes.toString()}`);
        expect(topology.controlPlane).toEqual({ replicas: 3 });
        expect(topology.workers).toEqual({ machineDeployments: [{ class: 'default-worker', name: 'md-0', replicas: 3 }] });
        expect((cluster.spec as Record<string, unknown>).clusterNetwork).toEqual({
          pods: { cidrBlocks: ['192.168.0.0/16'] },
          services: { cidrBlocks: ['10.96.0.0/12'] },
        });
      });

      it('sets exactly the variables that have an example, to that example, in ClusterClass order', () => {
        const expected = variables.filter((v) => v.schema.openAPIV3Schema.example !== undefined).map((v) => ({ name: v.name, value: v.schema.openAPIV3Schema.example }));
        expect(cluster.spec?.topology?.variables ?? []).toEqual(expected);
      });
    });
  }
});

describe('a broken example Cluster', () => {
  const openstack = sources.find((s) => s.bundle.path === 'openstack/scs/1-34');
  if (!openstack) throw new Error('openstack/scs/1-34 is not shipped');
  const variables = classVariables(openstack.bundle);
  const fresh = () => structuredClone(exampleCluster(readBundleContent(openstack.bundle))) as unknown as { spec: { topology: Record<string, unknown> & { variables: { name: string; value: unknown }[] } } };

  it('fails the CRD when a required field is missing or has the wrong type', () => {
    const cluster = fresh();
    delete cluster.spec.topology.class;
    cluster.spec.topology.controlPlane = { replicas: 'three' };
    expect(problemsOf(cluster, variables)).toEqual([
      expect.stringContaining('at /spec/topology/class: required field "class" is missing'),
      expect.stringContaining('at /spec/topology/controlPlane/replicas: must be of type integer'),
    ]);
  });

  it('fails the variable schema when a value breaks it (networkMTU below 68, a non-uuid security group)', () => {
    const cluster = fresh();
    const set = (name: string, value: unknown) => {
      const v = cluster.spec.topology.variables.find((x) => x.name === name);
      if (!v) throw new Error(`example sets no ${name}`);
      v.value = value;
    };
    set('networkMTU', 10);
    set('securityGroupIDs', ['not-a-uuid']);
    expect(problemsOf(cluster, variables)).toEqual([
      expect.stringContaining('(networkMTU) at (root): must be greater than or equal to 68, got 10'),
      expect.stringContaining('(securityGroupIDs) at /0: must be in format uuid4'),
    ]);
  });

  it('fails when it sets a variable the ClusterClass does not declare', () => {
    const cluster = fresh();
    cluster.spec.topology.variables.push({ name: 'workerFlavour', value: 'SCS-4V-8' });
    expect(problemsOf(cluster, variables)).toEqual([expect.stringContaining("'workerFlavour' is not a variable of the ClusterClass")]);
  });
});
