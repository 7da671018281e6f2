import { describe, expect, it } from 'vitest';
import { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import type { ClusterStack } from '../../../constructs/cluster-stack.ts';
import type { ClusterStackVersions } from '../../../constructs/metadata.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { retarget, retargetForComparison } from '../../../lib/pipeline/retarget.ts';
import { synthesize, type Bundle } from '../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../stacks/index.ts';

/**
 * A release synthesizes each bundle once and renames it to the versions it
 * decides (lib/pipeline/retarget.ts). A renamed bundle must be the bundle a
 * synthesis at those versions gives: the same files, byte for byte, and the
 * same model.
 */
const at = (stack: string, addon = stack, image = stack): ClusterStackVersions => ({
  clusterStack: StackVersion.parse(stack),
  clusterAddon: StackVersion.parse(addon),
  nodeImage: StackVersion.parse(image),
});

/** Everything a consumer reads of a bundle, as plain data (JSON: the typed variables hold closures). */
function observable(b: Bundle): unknown {
  const { model } = b;
  return JSON.parse(JSON.stringify({
    path: b.path,
    versions: [b.versions.clusterStack.toString(), b.versions.clusterAddon.toString(), b.versions.nodeImage.toString()],
    clusterClassName: b.clusterClassName,
    releaseTag: b.releaseTag,
    files: b.files,
    model: {
      name: model.name,
      clusterClassName: model.clusterClassName,
      releaseTag: model.releaseTag,
      versions: [model.versions.clusterStack.toString(), model.versions.clusterAddon.toString(), model.versions.nodeImage.toString()],
      clusterClass: { object: model.clusterClass.object, templates: model.clusterClass.templates, variables: model.clusterClass.variables },
      metadata: model.metadata,
      nodeImages: model.nodeImages,
      helmChartProxies: model.helmChartProxies,
      addonStages: model.addonStages,
    },
  })) as unknown;
}

const renames: readonly { readonly from: ClusterStackVersions; readonly to: ClusterStackVersions }[] = [
  { from: at('v3', 'v2', 'v1'), to: at('v4', 'v3', 'v1') },
  { from: at('v1'), to: at('v2', 'v1', 'v1') },
  { from: at('v0-sha.0000000'), to: at('v0-sha.1a2b3c4') },
];

describe('retarget', () => {
  for (const { from, to } of renames) {
    it(`renames every shipped bundle from ${from.clusterStack.toString()} to ${to.clusterStack.toString()} as a synthesis at ${to.clusterStack.toString()} gives it`, () => {
      const first = synthesize(STACKS, { versionsFor: () => from });
      const reference = synthesize(STACKS, { versionsFor: () => to });
      expect(first.length).toBe(reference.length);
      first.forEach((b, i) => {
        const renamed = retarget(b, to);
        expect(renamed, b.path).toBeDefined();
        expect(observable(renamed as Bundle), b.path).toEqual(observable(reference[i] as Bundle));
      });
    });
  }

  it('renames a bundle built without the GitOps files as a synthesis without them at the new versions gives it', () => {
    const from = at('v0-sha.0000000');
    const to = at('v0-sha.1a2b3c4');
    const first = synthesize(STACKS, { gitops: false, versionsFor: () => from });
    const reference = synthesize(STACKS, { gitops: false, versionsFor: () => to });
    first.forEach((b, i) => {
      const renamed = retarget(b, to) as Bundle;
      expect(renamed.model.helmChartProxies, b.path).toBeUndefined();
      expect(observable(renamed), b.path).toEqual(observable(reference[i] as Bundle));
    });
  });

  it('refuses names of another shape (another length, or other than digits and a-f changed), which retargetForComparison renames', () => {
    const [b9] = synthesize(STACKS, { versionsFor: () => at('v9') });
    expect(retarget(b9 as Bundle, at('v10'))).toBeUndefined();
    const [stable] = synthesize(STACKS, { versionsFor: () => at('v3') });
    expect(retarget(stable as Bundle, at('v0-sha.1a2b3c4'))).toBeUndefined();
    const [hash] = synthesize(STACKS, { versionsFor: () => at('v0-sha.0000000') });
    expect(retarget(hash as Bundle, at('v0-rc.0000000'))).toBeUndefined();
    // The same renames are exact for the shipped bundles, which is why the
    // previous side of an upgrade check, verified against dist/, may use them.
    const [reference] = synthesize(STACKS, { versionsFor: () => at('v3') });
    expect(observable(retargetForComparison(hash as Bundle, at('v3')) as Bundle)).toEqual(observable(reference as Bundle));
    const [ten] = synthesize(STACKS, { versionsFor: () => at('v10') });
    expect(observable(retargetForComparison(b9 as Bundle, at('v10')) as Bundle)).toEqual(observable(ten as Bundle));
  });

  /** The first shipped stack with `change` applied after its own build, alone. */
  const changed = (change: (stack: ClusterStack) => void): ClusterStackDefinition<StackVersionsRow>[] => {
    const base = STACKS[0] as ClusterStackDefinition<StackVersionsRow>;
    return [{ ...base, build: (stack, row) => { base.build(stack, row); change(stack); } }];
  };
  const renameOf = (definitions: readonly ClusterStackDefinition<StackVersionsRow>[], from = at('v3'), to = at('v4')): Bundle | undefined => {
    const [b] = synthesize(definitions, { versionsFor: () => from });
    return retarget(b as Bundle, to);
  };

  it('renames a stack whose definition only names things after the ClusterClass (the control for the cases below)', () => {
    expect(renameOf(changed(() => undefined))).toBeDefined();
    expect(renameOf(changed((s) => s.clusterClass.templates[0]?.metadata.addAnnotation('example.com/class', s.clusterClassName)))).toBeDefined();
  });

  it('refuses a definition that read the versions', () => {
    expect(renameOf(changed((s) => s.clusterClass.templates[0]?.metadata.addAnnotation('example.com/version', s.versions.clusterAddon.toString())))).toBeUndefined();
    expect(renameOf(changed((s) => s.clusterClass.templates[0]?.metadata.addAnnotation('example.com/tag', s.releaseTag)))).toBeUndefined();
  });

  it('refuses the class name in a key, in a kept file, or in the typed variables', () => {
    expect(renameOf(changed((s) => s.clusterClass.templates[0]?.metadata.addAnnotation(`example.com/${s.clusterClassName}`, 'yes')))).toBeUndefined();
    expect(renameOf(changed((s) => {
      const addon = s.addons[0] as ClusterAddon;
      s.replaceAddon(new ClusterAddon({ name: addon.name, description: `for ${s.clusterClassName}`, chart: addon.chart, values: addon.values, ...(addon.overwrite ? { overwrite: addon.overwrite } : {}) }));
    }))).toBeUndefined();
    expect(renameOf(changed((s) => {
      const v = s.clusterClass.variables[0];
      if (v) s.clusterClass.replaceVariable({ ...v, openApiSchema: { ...v.openApiSchema, description: `of ${s.clusterClassName}` } });
    }))).toBeUndefined();
  });

  it('refuses a name derived from the class name: its dashed form, a truncation that keeps the version\'s start', () => {
    const dashed = changed((s) => s.clusterClass.templates[0]?.metadata.addAnnotation('example.com/label', s.clusterClassName.replace(/\./g, '-')));
    expect(renameOf(dashed, at('v0-sha.0000000'), at('v0-sha.1a2b3c4'))).toBeUndefined();
    expect(renameOf(changed((s) => s.clusterClass.templates[0]?.metadata.addAnnotation('example.com/short', s.clusterClassName.slice(0, -1))))).toBeUndefined();
  });

  it('renders the files when the name shows in the bytes where no string holds it, and still gives the synthesis', () => {
    // For a provider 'edocker', ESC + "docker-scs-1-32-v3" is written as the
    // escape \e and the rest: the v3 class name in the bytes, in no string.
    const base = changed((s) => s.clusterClass.templates[0]?.metadata.addAnnotation('example.com/escaped', '\u001bdocker-scs-1-32-v3'));
    const definitions = base.map((d) => ({ ...d, provider: `e${d.provider}` }));
    const [b] = synthesize(definitions, { versionsFor: () => at('v3') });
    expect((b as Bundle).clusterClassName).toBe('edocker-scs-1-32-v3');
    expect((b as Bundle).files.find((f) => f.path === 'cluster-class.yaml')?.content).toContain('"\\edocker-scs-1-32-v3"');
    const renamed = retarget(b as Bundle, at('v4'));
    const [reference] = synthesize(definitions, { versionsFor: () => at('v4') });
    expect(observable(renamed as Bundle)).toEqual(observable(reference as Bundle));
  });
});
