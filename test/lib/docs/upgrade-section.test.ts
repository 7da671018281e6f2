/**
 * The "Upgrades" section of every bundle page: the operator's ClusterStack
 * object validates against its CRD (crds/cso-v0.2.0-alpha.1), the CAAPH
 * label is the one the proxies select on (constructs/helm-chart-proxy.ts),
 * and the steps name this bundle's ClusterClass and Kubernetes version.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clusterClassSelectorLabel } from '../../../constructs/helm-chart-proxy.ts';
import { CrdSchemaRegistry } from '../../../lib/pipeline/crd-schema.ts';
import { renderMarkdown } from '../../../lib/docs/markdown.ts';
import type { Block } from '../../../lib/docs/model.ts';
import { upgradeDocs } from '../../../lib/docs/upgrade-docs.ts';
import { clusterStackObject, upgradeSection } from '../../../lib/docs/upgrade-section.ts';
import { readRecord } from '../../../lib/release/version-record.ts';
import { synthesize } from '../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../stacks/index.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const registry = CrdSchemaRegistry.load(['cso-v0.2.0-alpha.1']);
const bundles = synthesize(STACKS, { versionsFor: (id) => readRecord(root, id)?.versions ?? (() => { throw new Error('no record'); })() });

function markdown(blocks: Block[]): string {
  return renderMarkdown({ title: 't', blocks });
}

describe('the Upgrades section of each bundle page', () => {
  it.each(bundles.map((b) => [b.path, b] as const))('%s', (_path, bundle) => {
    const input = upgradeDocs(root, bundle, bundles, true);
    const cs = clusterStackObject(bundle, input.previousVersion ? [input.previousVersion, bundle.versions.clusterStack.toString()] : [bundle.versions.clusterStack.toString()]);
    expect(registry.validate(cs, `${bundle.path} ClusterStack`)).toEqual([]);
    const text = markdown(upgradeSection(input));
    // The label the bundle's HelmChartProxies select.
    const label = clusterClassSelectorLabel(bundle.clusterClassName);
    expect(label).toEqual({ key: 'cluster-stacks.x-k8s.io/cluster-class', value: bundle.clusterClassName });
    expect(bundle.files.find((f) => f.path === 'helm-chart-proxies.yaml')?.content).toContain(`${label.key}: ${label.value}\n`);
    expect(text).toContain(`kubectl label cluster <name> --overwrite ${label.key}=${label.value}`);
    expect(text).toContain(`"class":"${bundle.clusterClassName}"`);
    expect(text).toContain('kind: ClusterStack');
    // The project's history: a bundle past its first release has a previous version and, but for 1.32, a previous minor.
    const first = bundle.versions.clusterStack.toString() === 'v1';
    const nextMinor = bundle.identity.kubernetes.minorSlug === '1-32' ? [] : ['next-minor'];
    if (first) {
      expect(input.previousVersion).toBeUndefined();
      expect(input.paths.map((p) => p.kind)).toEqual(nextMinor);
    } else {
      expect(input.previousVersion).toMatch(/^v\d+$/);
      expect(input.previousVersion).not.toBe(bundle.versions.clusterStack.toString());
      expect(input.paths.map((p) => p.kind)).toEqual(['same-minor', ...nextMinor]);
    }
    for (const p of input.paths) expect(p.problems).toEqual([]);
  });

  it('a ClusterStack the CRD refuses is caught (the check has teeth)', () => {
    const bad = { ...clusterStackObject(bundles[0], ['v3']), spec: { ...clusterStackObject(bundles[0], ['v3']).spec, kubernetesVersion: '1-34', channel: 'nightly' } };
    expect(registry.validate(bad, 'bad ClusterStack').length).toBe(2);
  });

  it('a version released over a breaking path shows the reason', () => {
    const input = { ...upgradeDocs(root, bundles[0], bundles, false), allowBreaking: { reason: 'the old variable was never read', findings: ['upgrade a → b: x'] } };
    const text = markdown(upgradeSection(input));
    expect(text).toContain('**Released over a breaking upgrade path:** the old variable was never read');
    expect(text).toContain('- upgrade a → b: x');
  });
});
