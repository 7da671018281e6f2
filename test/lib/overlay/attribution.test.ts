import { describe, expect, it } from 'vitest';
import { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import { defineOverlay, defineOverlayBase, type AddonOverride } from '../../../constructs/overlay/overlay.ts';
import { attributeChanges } from '../../../lib/overlay/attribution.ts';
import { openstackScsBase } from '../../../stacks/openstack/scs/overlay-base.ts';
import { openstackScs } from '../../../stacks/openstack/scs/stack.ts';

const ROW = openstackScs.versions[openstackScs.versions.length - 1];

// The base with one fix in the CCM's values, as a base release would bring it.
const fixedBase = defineOverlayBase(
  {
    ...openstackScs,
    build(stack, row) {
      openstackScs.build(stack, row);
      const ccm = stack.addons.find((a) => a.name === 'ccm')!;
      stack.replaceAddon(new ClusterAddon({ name: 'ccm', description: ccm.description, chart: ccm.chart, values: { ...ccm.values, dnsPolicy: 'ClusterFirst' }, ...(ccm.overwrite ? { overwrite: ccm.overwrite } : {}) }));
    },
  },
  { variables: ['workerFlavor'], patches: [], addons: ['ccm'], workerClasses: ['default-worker'], nodeImageSources: openstackScsBase.nodeImageSources },
);
type Base = typeof fixedBase;

const overlay = (base: Base, flavor: string, ccm: AddonOverride = {}) =>
  defineOverlay({ provider: 'mycloud', stack: 'scs', description: 'x', base, versions: [ROW], overrides: { variables: { workerFlavor: { default: flavor } }, addons: { ccm } } });

describe('attributeChanges', () => {
  const original = overlay(openstackScsBase as unknown as Base, 'MC-4V-16');

  it('attributes a base fix to the base', () => {
    expect(attributeChanges(original, overlay(fixedBase, 'MC-4V-16'), ROW.kubernetes)).toEqual([{ object: 'addon ccm', change: 'changed', origin: 'base' }]);
  });

  it('attributes an overlay edit to the overlay', () => {
    expect(attributeChanges(original, overlay(openstackScsBase as unknown as Base, 'MC-8V-32'), ROW.kubernetes)).toEqual([{ object: 'ClusterClass <class>', change: 'changed', origin: 'overlay' }]);
  });

  it('attributes an object both changed to both', () => {
    const changes = attributeChanges(original, overlay(fixedBase, 'MC-4V-16', { values: { cloudConfig: { global: { 'use-clouds': true }, loadBalancer: { 'lb-provider': 'ovn' } } } }), ROW.kubernetes);
    expect(changes).toEqual([{ object: 'addon ccm', change: 'changed', origin: 'base and overlay' }]);
  });

  it('reports nothing for identical builds', () => {
    expect(attributeChanges(original, overlay(openstackScsBase as unknown as Base, 'MC-4V-16'), ROW.kubernetes)).toEqual([]);
  });
});
