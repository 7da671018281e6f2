import { App, Chart, JsonPatch, Lazy } from 'cdk8s';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterClassV1Beta1, type ClusterClassV1Beta1Spec } from '../../imports/capi-clusterclasses-cluster.x-k8s.io.ts';
import { ClusterClassObject } from '../../constructs/cluster-class-object.ts';
import { ClusterStack } from '../../constructs/cluster-stack.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { clusterStackName, type ClusterStackIdentity } from '../../constructs/names.ts';
import { NOT_PLAIN, sanitizedPlain } from '../../constructs/plain-manifest.ts';
import { INITIAL_VERSIONS } from '../../lib/pipeline/synth.ts';
import { STACKS } from '../../stacks/index.ts';

/** The binding's own toJson(): cdk8s's resolution and sanitizing, then the binding's field mapping. */
const bindingJson = (o: ClusterClassV1Beta1): unknown => ClusterClassV1Beta1.prototype.toJson.call(o);

/** Key order counts: it is what a YAML dump of the object would follow. */
const text = (v: unknown): string => JSON.stringify(v);

describe('sanitizedPlain', () => {
  it('sorts keys and drops null and undefined as cdk8s does, in objects and arrays', () => {
    const out = sanitizedPlain({ b: 1, a: { d: null, c: [null, 'x', undefined, { z: true, y: 0 }] }, e: undefined });
    expect(text(out)).toBe(text({ a: { c: [undefined, 'x', undefined, { y: 0, z: true }] }, b: 1 }));
    expect(sanitizedPlain(null)).toBeUndefined();
  });

  it('gives up on anything a cdk8s resolver or its sanitizer treats in its own way', () => {
    class Quantity {
      public constructor(public readonly value: string) {}
    }
    const own = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    for (const odd of [Lazy.any({ produce: () => 'x' }), new Quantity('1Gi'), () => 'x', { resolve: () => 'x' }, own, Object.create(null) as unknown, [1, , 3], Symbol('s'), 1n]) {
      expect(sanitizedPlain({ spec: { list: [odd] } })).toBe(NOT_PLAIN);
    }
  });
});

describe('ClusterClassObject', () => {
  afterEach(() => vi.restoreAllMocks());

  const definitions = STACKS.flatMap((definition) => definition.versions.map((row) => ({ definition, row })));

  it.each(definitions.map(({ definition, row }) => [`${definition.provider}/${definition.stack} ${row.kubernetes}`, definition, row] as const))(
    'gives the binding\'s own manifest of the shipped ClusterClass of %s, without its resolution walk',
    (_name, definition, row) => {
      const id: ClusterStackIdentity = { provider: definition.provider, stack: definition.stack, kubernetes: KubernetesVersion.parse(row.kubernetes) };
      const stack = new ClusterStack(new App({ outdir: '/nonexistent' }), clusterStackName(id), { provider: id.provider, stack: id.stack, kubernetesVersion: id.kubernetes, versions: INITIAL_VERSIONS });
      definition.build(stack, row);
      const object = stack.clusterClass.resource;
      const expected = text(bindingJson(object));
      const own = vi.spyOn(ClusterClassV1Beta1.prototype, 'toJson');
      expect(text(object.toJson())).toBe(expected);
      expect(own).not.toHaveBeenCalled();
    },
  );

  const objectWith = (spec: () => ClusterClassV1Beta1Spec): ClusterClassObject => new ClusterClassObject(new Chart(new App({ outdir: '/nonexistent' }), 'c'), 'cc', 'example', spec);

  it('takes the binding\'s path for a spec that is not plain data, and resolves it', () => {
    const object = objectWith(() => ({ workers: { machineDeployments: [{ class: Lazy.any({ produce: () => 'md-0' }) as unknown as string, template: { bootstrap: { ref: { apiVersion: 'v1', kind: 'K', name: 'b' } }, infrastructure: { ref: { apiVersion: 'v1', kind: 'K', name: 'i' } } } }] } }));
    const own = vi.spyOn(ClusterClassV1Beta1.prototype, 'toJson');
    const json = object.toJson();
    expect(own).toHaveBeenCalledOnce();
    expect(text(json)).toContain('"class":"md-0"');
  });

  it('takes the binding\'s path once a JSON patch was added, and applies it', () => {
    const object = objectWith(() => ({ infrastructure: { ref: { apiVersion: 'v1', kind: 'K', name: 'i' } } }));
    object.addJsonPatch(JsonPatch.add('/spec/infrastructure/ref/namespace', 'patched'));
    const json = object.toJson() as { spec: { infrastructure: { ref: Record<string, string> } } };
    expect(json.spec.infrastructure.ref['namespace']).toBe('patched');
  });

  it('reports a failing spec as the binding does, naming the construct', () => {
    const object = objectWith(() => {
      throw new Error('no spec');
    });
    expect(() => object.toJson()).toThrow(/Failed serializing construct at path 'c\/cc'.*no spec/);
  });
});
