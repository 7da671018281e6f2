import { ApiObject, App, Chart, JsonPatch, Lazy } from 'cdk8s';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterClassV1Beta1, type ClusterClassV1Beta1Spec } from '../../imports/capi-clusterclasses-cluster.x-k8s.io.ts';
import { ClusterClassObject, HelmChartProxyObject, KubeadmConfigTemplateObject, KubeadmControlPlaneTemplateObject } from '../../constructs/api-objects.ts';
import { ClusterStack } from '../../constructs/cluster-stack.ts';
import { helmChartProxies } from '../../constructs/helm-chart-proxy.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { clusterStackName, type ClusterStackIdentity } from '../../constructs/names.ts';
import { NOT_PLAIN, sanitizedPlain } from '../../constructs/plain-manifest.ts';
import { INITIAL_VERSIONS } from '../../lib/pipeline/synth.ts';
import { STACKS } from '../../stacks/index.ts';

/** The binding's own toJson() (the class ours extends): cdk8s's resolution and sanitizing, then the binding's field mapping. */
const bindingJson = (o: ApiObject): unknown => (Object.getPrototypeOf(Object.getPrototypeOf(o)) as ApiObject).toJson.call(o);

/** Key order counts: it is what a YAML dump of the object would follow. */
const text = (v: unknown): string => JSON.stringify(v);

describe('sanitizedPlain', () => {
  it('sorts keys and drops null and undefined as cdk8s does, in objects and arrays', () => {
    const out = sanitizedPlain({ b: 1, a: { d: null, c: [null, 'x', undefined, { z: true, y: 0 }] }, e: undefined });
    expect(text(out)).toBe(text({ a: { c: [undefined, 'x', undefined, { y: 0, z: true }] }, b: 1 }));
    expect(sanitizedPlain(null)).toBeUndefined();
  });

  it('sorts keys by UTF-16 code units, as Array.prototype.sort does, for few keys and for many', () => {
    const pool = ['b', 'a', 'B', 'A', '_x', '$ref', 'x-kubernetes-int-or-string', 'é', '\u{1F600}', '\uFFFD', '10', '9', '', 'aa', 'a-b', 'a.b', 'Z', 'z', 'm', 'x'];
    for (const n of [0, 1, 2, 5, 16, 17, pool.length]) {
      const keys = pool.slice(0, n).reverse();
      const input = Object.fromEntries(keys.map((k, i) => [k, i]));
      // Built as cdk8s builds it (integer-like keys such as '9' and '10' then come first in any object).
      const reference = Object.fromEntries(Object.keys(input).sort().map((k) => [k, input[k]]));
      expect(text(sanitizedPlain(input))).toBe(text(reference));
    }
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

describe('the API objects of the ClusterClass, kubeadm template and HelmChartProxy constructs', () => {
  afterEach(() => vi.restoreAllMocks());

  const definitions = STACKS.flatMap((definition) => definition.versions.map((row) => ({ definition, row })));

  it.each(definitions.map(({ definition, row }) => [`${definition.provider}/${definition.stack} ${row.kubernetes}`, definition, row] as const))(
    'gives the binding\'s own manifest of every ClusterClass, kubeadm template and HelmChartProxy of %s, without cdk8s\'s resolution walk',
    (_name, definition, row) => {
      const id: ClusterStackIdentity = { provider: definition.provider, stack: definition.stack, kubernetes: KubernetesVersion.parse(row.kubernetes) };
      const stack = new ClusterStack(new App({ outdir: '/nonexistent' }), clusterStackName(id), { provider: id.provider, stack: id.stack, kubernetesVersion: id.kubernetes, versions: INITIAL_VERSIONS });
      definition.build(stack, row);
      const objects = [...stack.node.findAll(), ...helmChartProxies(stack)].filter((c): c is ApiObject => c instanceof ApiObject);
      // By constructor: cdk8s answers instanceof for any ApiObject class with isApiObject().
      const classes = new Set<unknown>([ClusterClassObject, KubeadmControlPlaneTemplateObject, KubeadmConfigTemplateObject, HelmChartProxyObject]);
      const ours = objects.filter((o) => classes.has(o.constructor));
      expect(new Set(ours.map((o) => o.constructor))).toEqual(classes);
      const expected = ours.map((o) => text(bindingJson(o)));
      const resolution = vi.spyOn(ApiObject.prototype, 'toJson');
      expect(ours.map((o) => text(o.toJson()))).toEqual(expected);
      expect(resolution).not.toHaveBeenCalled();
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
