import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { synthesize, type Bundle } from '../../lib/pipeline/synth.ts';
import { STACKS } from '../../stacks/index.ts';

/** Variable descriptions and examples that name an image name the image of their own Kubernetes minor. */
const bundles = synthesize(STACKS);

interface Variable {
  name: string;
  schema: { openAPIV3Schema: { description?: string; example?: unknown } };
}

function variables(bundle: Bundle): Map<string, Variable['schema']['openAPIV3Schema']> {
  const content = bundle.files.find((f) => f.path === 'cluster-class.yaml')?.content ?? '';
  const cc = yaml.loadAll(content).find((d) => (d as { kind?: string }).kind === 'ClusterClass') as { spec: { variables: Variable[] } };
  return new Map(cc.spec.variables.map((v) => [v.name, v.schema.openAPIV3Schema]));
}

const tag = (b: Bundle) => b.identity.kubernetes.toVersionTag();

describe('image names in variable texts follow the minor', () => {
  const openstack = bundles.filter((b) => b.identity.provider === 'openstack');
  const docker = bundles.filter((b) => b.identity.provider === 'docker');

  it('covers three minors of each stack', () => {
    expect(openstack.map(tag)).toEqual(['v1.32.5', 'v1.33.10', 'v1.34.7']);
    expect(docker.map(tag)).toEqual(['v1.32.5', 'v1.33.10', 'v1.34.7']);
  });

  it.each(openstack.map((b) => [b.path, b] as const))('%s: imageName and imageAddVersion name its own image', (_path, bundle) => {
    const v = variables(bundle);
    expect(v.get('imageName')?.description).toContain(`(e.g. ubuntu-capi-image-${tag(bundle)}).`);
    expect(v.get('imageAddVersion')?.description).toBe(`Append the Kubernetes version to imageName, e.g. imageName-${tag(bundle)}.`);
    for (const other of openstack.filter((o) => o !== bundle)) {
      expect(v.get('imageName')?.description).not.toContain(tag(other));
    }
  });

  it.each(docker.map((b) => [b.path, b] as const))('%s: customImage example is its own kind node image', (_path, bundle) => {
    expect(variables(bundle).get('customImage')?.example).toBe(`kindest/node:${tag(bundle)}`);
  });
});
