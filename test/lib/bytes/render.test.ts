import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { inFileOrder, renderBundleFiles } from '../../../lib/bytes/render.ts';
import { synthesize } from '../../../lib/pipeline/synth.ts';
import { dockerScs } from '../../../stacks/docker/scs/stack.ts';

const [bundle] = synthesize([dockerScs as ClusterStackDefinition<StackVersionsRow>], { filter: (id) => id.kubernetes.minorVersion === '1.34' });
if (bundle === undefined) throw new Error('docker/scs 1.34 is not synthesized');

const content = (files: readonly { path: string; content: string }[], path: string): string | undefined => files.find((f) => f.path === path)?.content;

describe('renderBundleFiles', () => {
  it('is what the bundle holds: the files synthesis returns are rendered from its model', () => {
    expect(renderBundleFiles(bundle.model)).toEqual(bundle.files);
  });

  it('writes what the model holds, so a change to the model is a change to the bytes', () => {
    const { clusterClass } = bundle.model;
    const templates = clusterClass.templates.map((t, i) => (i === 0 ? { ...t, metadata: { ...(t.metadata as object), labels: { changed: 'yes' } } } : t));
    const files = renderBundleFiles({ ...bundle.model, clusterClass: { ...clusterClass, templates } });
    expect(content(files, 'cluster-class.yaml')).not.toBe(content(bundle.files, 'cluster-class.yaml'));
    expect(content(files, 'cluster-class.yaml')).toContain('    changed: "yes"\n');
    expect(content(files, 'metadata.yaml')).toBe(content(bundle.files, 'metadata.yaml'));
  });

  it('writes no addon files, stages or proxies for a model without addons, and a kustomization of what is left', () => {
    const files = renderBundleFiles({ ...bundle.model, addons: [], addonStages: {}, helmChartProxies: [] });
    expect(files.map((f) => f.path)).toEqual(['cluster-class.yaml', 'kustomization.yaml', 'metadata.yaml']);
    expect(yaml.load(content(files, 'kustomization.yaml') ?? '')).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['cluster-class.yaml'] });
  });

  it('writes every file but the GitOps ones, byte for byte, for a model built without them', () => {
    const [without] = synthesize([dockerScs as ClusterStackDefinition<StackVersionsRow>], { gitops: false, filter: (id) => id.kubernetes.minorVersion === '1.34' });
    expect(without?.model.helmChartProxies).toBeUndefined();
    expect(bundle.model.helmChartProxies?.length).toBeGreaterThan(0);
    expect(without?.files).toEqual(bundle.files.filter((f) => f.path !== 'helm-chart-proxies.yaml' && f.path !== 'kustomization.yaml'));
    expect(renderBundleFiles({ ...bundle.model, helmChartProxies: undefined })).toEqual(without?.files);
  });

  it('writes the hook stages in hook order under the operator\'s header', () => {
    expect(content(bundle.files, 'clusteraddon.yaml')).toMatch(/^apiVersion: clusteraddonconfig.x-k8s.io\/v1alpha1\nclusterAddonVersion: clusteraddons.clusterstack.x-k8s.io\/v1alpha1\naddonStages:\n  AfterControlPlaneInitialized:\n/);
  });
});

describe('inFileOrder', () => {
  it('orders keys as the files write them: apiVersion, kind, metadata, name, …, then the rest alphabetically', () => {
    const ordered = inFileOrder({ zeta: 1, spec: { b: 1, a: [{ value: 1, op: 'add', path: '/x' }] }, kind: 'K', apiVersion: 'v1', metadata: { name: 'n' } });
    expect(JSON.stringify(ordered)).toBe('{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"a":[{"op":"add","path":"/x","value":1}],"b":1},"zeta":1}');
  });

  it('orders objects of more than twelve keys too, and keeps a __proto__ key as a key', () => {
    const many = Object.fromEntries(['m', 'l', 'k', 'j', 'i', 'h', 'g', 'f', 'e', 'd', 'c', 'b', 'a', 'kind'].map((k, i) => [k, i]));
    expect(Object.keys(inFileOrder(many) as object)).toEqual(['kind', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm']);
    const parsed: unknown = JSON.parse('{"z":1,"__proto__":{"polluted":true}}');
    const ordered = inFileOrder(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(ordered)).toBe(Object.prototype);
    expect(Object.keys(ordered)).toEqual(['__proto__', 'z']);
    expect(JSON.stringify(ordered)).toBe('{"__proto__":{"polluted":true},"z":1}');
  });
});
