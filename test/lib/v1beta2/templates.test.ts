import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../lib/v1beta2/json.ts';
import { argsFromMap, argsToMap, conversionFor, convertArgMap, convertTemplate, valueAt } from '../../../lib/v1beta2/templates.ts';

const KCP = conversionFor('controlplane.cluster.x-k8s.io/v1beta1', 'KubeadmControlPlaneTemplate');
const KCT = conversionFor('bootstrap.cluster.x-k8s.io/v1beta1', 'KubeadmConfigTemplate');

const argName = fc.string({ minLength: 1, maxLength: 20 });
const argMap = fc.dictionary(argName, fc.string({ maxLength: 40 }), { maxKeys: 30 });

describe('extraArgs map ↔ list', () => {
  it('round-trips: map → list → map is the identity', () => {
    fc.assert(fc.property(argMap, (map) => {
      expect(argsToMap(argsFromMap(map))).toEqual({ ...map });
    }));
  });

  it('gives a list sorted by name with unique names, one entry per key', () => {
    fc.assert(fc.property(argMap, (map) => {
      const list = argsFromMap(map);
      const names = list.map((a) => a.name);
      expect(names.length).toBe(Object.keys(map).length);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }));
  });

  it('round-trips the other way for lists with unique names in Cluster API order: list → map → list', () => {
    fc.assert(fc.property(argMap, (map) => {
      const list = argsFromMap(map);
      expect(argsFromMap(argsToMap(list))).toEqual(list);
    }));
  });

  it('does not depend on the order keys were added in', () => {
    fc.assert(fc.property(argMap, (map) => {
      const reversed = Object.fromEntries(Object.entries(map).reverse());
      expect(argsFromMap(reversed)).toEqual(argsFromMap(map));
    }));
  });

  it('fails when a value is not a string', () => {
    expect(() => convertArgMap({ v: 2 }, 'x')).toThrow('x/v: extra args are strings, got 2');
  });
});

describe('convertTemplate', () => {
  it('knows the kinds with a v1beta2 version, and only those', () => {
    expect(KCP?.toApiVersion).toBe('controlplane.cluster.x-k8s.io/v1beta2');
    expect(KCT?.toApiVersion).toBe('bootstrap.cluster.x-k8s.io/v1beta2');
    expect(conversionFor('infrastructure.cluster.x-k8s.io/v1beta1', 'DockerMachineTemplate')?.toApiVersion).toBe('infrastructure.cluster.x-k8s.io/v1beta2');
    expect(conversionFor('infrastructure.cluster.x-k8s.io/v1beta1', 'OpenStackMachineTemplate')).toBeUndefined();
    expect(conversionFor('openstack.k-orc.cloud/v1alpha1', 'Image')).toBeUndefined();
  });

  it('converts a KubeadmControlPlaneTemplate as Cluster API does, without touching its input', () => {
    if (!KCP) throw new Error('no conversion');
    const input: JsonObject = {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
      kind: 'KubeadmControlPlaneTemplate',
      metadata: { name: 'x' },
      spec: {
        template: {
          spec: {
            kubeadmConfigSpec: {
              clusterConfiguration: { apiServer: { extraArgs: { b: '2', a: '1' }, extraVolumes: [{ name: 'v', hostPath: '/v', mountPath: '/v', readOnly: false }] } },
              initConfiguration: { nodeRegistration: { kubeletExtraArgs: {}, taints: [] } },
              joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'fail-swap-on': 'false' } } },
              files: [{ path: '/f', content: 'c', append: false }],
              preKubeadmCommands: [],
            },
            rolloutBefore: { certificatesExpiryDays: 21 },
            machineNamingStrategy: { template: '{{ .cluster.name }}-{{ .random }}' },
          },
        },
      },
    };
    const before = JSON.stringify(input);
    expect(convertTemplate(KCP, input)).toEqual({
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmControlPlaneTemplate',
      metadata: { name: 'x' },
      spec: {
        template: {
          spec: {
            kubeadmConfigSpec: {
              clusterConfiguration: { apiServer: { extraArgs: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }], extraVolumes: [{ name: 'v', hostPath: '/v', mountPath: '/v' }] } },
              // An empty kubeletExtraArgs goes (omitempty); taints: [] means "no taints" and stays.
              initConfiguration: { nodeRegistration: { taints: [] } },
              joinConfiguration: { nodeRegistration: { kubeletExtraArgs: [{ name: 'fail-swap-on', value: 'false' }] } },
              files: [{ path: '/f', content: 'c' }],
            },
            rollout: { before: { certificatesExpiryDays: 21 } },
            machineNaming: { template: '{{ .cluster.name }}-{{ .random }}' },
          },
        },
      },
    });
    expect(JSON.stringify(input)).toBe(before);
  });

  it('fails when a field whose conversion is not implemented is set', () => {
    if (!KCT) throw new Error('no conversion');
    const input: JsonObject = { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', metadata: { name: 'w' }, spec: { template: { spec: { joinConfiguration: { discovery: { timeout: '5m' } } } } } };
    expect(() => convertTemplate(KCT, input)).toThrow('KubeadmConfigTemplate w: /spec/template/spec/joinConfiguration/discovery is set, and its v1beta2 conversion is not implemented here (Cluster API converts it in api/bootstrap/kubeadm/v1beta1/conversion.go:523 (Convert_v1beta1_Discovery_To_v1beta2_Discovery))');
  });

  it('reads pointers into lists and objects', () => {
    expect(valueAt({ a: [{ b: 1 }] }, '/a/0/b')).toBe(1);
    expect(valueAt({ a: [] }, '/a/0')).toBeUndefined();
  });
});
