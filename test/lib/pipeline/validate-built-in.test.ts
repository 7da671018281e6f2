import { describe, expect, it } from 'vitest';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { CrdSchemaRegistry } from '../../../lib/pipeline/crd-schema.ts';
import { synthesize, type Bundle } from '../../../lib/pipeline/synth.ts';
import { validateBundles } from '../../../lib/pipeline/validate.ts';
import { hetznerScs } from '../../../stacks/hetzner/scs/stack.ts';

// Built-in kinds (the ConfigMap that describes a Hetzner node image) have no
// CRD; validateBundles checks them against the Kubernetes schema instead.
const registry = CrdSchemaRegistry.load(['capi-v1.10.9', 'caph-v1.1.8', 'caaph-v0.6.4']);
const [bundle] = synthesize([hetznerScs as ClusterStackDefinition<StackVersionsRow>], { filter: (id) => id.kubernetes.minorVersion === '1.34' });
if (bundle === undefined) throw new Error('hetzner/scs 1.34 is not synthesized');

function withNodeImages(objects: readonly Record<string, unknown>[]): Bundle {
  return { ...bundle, model: { ...bundle.model, nodeImages: objects } };
}

const configMap = (over: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ubuntu-2404-kube-v1.34.7' }, data: { imageName: 'x' }, ...over });

describe('validateBundles: built-in kinds', () => {
  it('accepts the hetzner/scs node image ConfigMaps', () => {
    expect(validateBundles([bundle], registry)).toEqual([]);
  });

  it.each([
    ['a data value that is not a string', configMap({ data: { kubernetesVersion: 134 } }), '/data/kubernetesVersion'],
    ['an unknown top-level field', configMap({ spec: {} }), 'unknown field "spec"'],
    ['an unknown metadata field', configMap({ metadata: { name: 'a', uid: 'x' } }), 'unknown field "uid"'],
    ['a name that is not a DNS-1123 subdomain', configMap({ metadata: { name: 'Ubuntu_Image' } }), '/metadata/name: must be a DNS-1123 subdomain'],
    ['no name', configMap({ metadata: {} }), '/metadata/name: must be a DNS-1123 subdomain'],
  ])('refuses %s, naming the bundle, file, object and path', (_what, object, expected) => {
    const problems = validateBundles([withNodeImages([object])], registry);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${bundle.path}/node-images.yaml ConfigMap/`);
    expect(problems[0]).toContain(expected);
  });

  it('still refuses kinds that are neither built in nor described by a CRD', () => {
    const problems = validateBundles([withNodeImages([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hcloud' }, stringData: { token: 'x' } }])], registry);
    expect(problems).toEqual([`${bundle.path}/node-images.yaml Secret/hcloud at (root): no CRD for v1 Secret`]);
  });
});
