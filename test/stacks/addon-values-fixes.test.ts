import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { HELM_CHART_PROXIES_FILE } from '../../constructs/helm-chart-proxy.ts';
import { synthesize, type Bundle } from '../../lib/pipeline/synth.ts';
import { STACKS } from '../../stacks/index.ts';

/**
 * The values the contract check corrected, per shipped minor, in values.yaml
 * and in the HelmChartProxy valuesTemplate. What the real charts render from
 * them (the Cinder CSI controller's nodes and tolerations, no Namespace
 * kube-system from Cilium) is asserted by test/e2e/real-charts.e2e.test.ts
 * when ADDON_CHARTS_DIR is set.
 */
const bundles = synthesize(STACKS);
type Json = Record<string, unknown>;

function file(bundle: Bundle, path: string): string {
  const found = bundle.files.find((f) => f.path === path);
  if (!found) throw new Error(`${bundle.path}: no ${path}`);
  return found.content;
}

function valuesOf(bundle: Bundle, addon: string): Json {
  return yaml.load(file(bundle, `cluster-addon/${addon}/values.yaml`)) as Json;
}

function proxyValues(bundle: Bundle, addon: string): Json {
  const proxies = yaml.loadAll(file(bundle, HELM_CHART_PROXIES_FILE)) as { metadata: { name: string }; spec: { valuesTemplate?: string } }[];
  const proxy = proxies.find((p) => p.metadata.name.endsWith(`-${addon}`));
  if (!proxy?.spec.valuesTemplate) throw new Error(`${bundle.path}: no HelmChartProxy for ${addon}`);
  // The templates of these addons carry no actions outside overwrite leaves; escaped braces stay text.
  return yaml.load(proxy.spec.valuesTemplate.replace(/\{\{ [^}]* \| toJson \}\}/g, '"x"')) as Json;
}

const UNINITIALIZED = { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' };
const CONTROL_PLANE = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const openstack = bundles.filter((b) => b.identity.provider === 'openstack');

describe('Cinder CSI controller placement (the chart reads it below csi.plugin.controllerPlugin only)', () => {
  it('covers every openstack minor', () => {
    expect(openstack.map((b) => b.path).sort()).toEqual(['openstack/scs/1-32', 'openstack/scs/1-33', 'openstack/scs/1-34']);
  });

  it.each(openstack.map((b) => [b.path, b] as const))('%s: runs the controller on control planes, tolerating their taint and the uninitialized taint', (_path, bundle) => {
    for (const values of [(valuesOf(bundle, 'csi')['openstack-cinder-csi'] as Json), proxyValues(bundle, 'csi')]) {
      const plugin = (values.csi as Json).plugin as Json;
      expect(plugin.controllerPlugin).toEqual({ nodeSelector: { 'node-role.kubernetes.io/control-plane': '' }, tolerations: [UNINITIALIZED, CONTROL_PLANE] });
      // The node plugin keeps the chart's toleration of everything.
      expect(plugin.nodePlugin).toBeUndefined();
      // Top-level placement keys, which the chart never read, are gone.
      expect(values.nodeSelector).toBeUndefined();
      expect(values.tolerations).toBeUndefined();
    }
  });
});

describe('Cilium secrets namespaces (kube-system exists; the chart must not render a Namespace for it)', () => {
  it.each(bundles.map((b) => [b.path, b] as const))('%s: keeps the secrets in kube-system without creating it', (_path, bundle) => {
    for (const values of [(valuesOf(bundle, 'cni').cilium as Json), proxyValues(bundle, 'cni')]) {
      expect(values.tls).toEqual({ secretsNamespace: { create: false, name: 'kube-system' } });
      expect(values.gatewayAPI).toEqual({ enabled: true, secretsNamespace: { create: false, name: 'kube-system' } });
      // Read by 1.18.9's cilium-configmap.yaml as enable-session-affinity.
      expect(values.sessionAffinity).toBe(true);
    }
  });
});
