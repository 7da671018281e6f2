import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { assertSuccess, run } from './run.ts';

/**
 * Stand-ins for the upstream charts the addons depend on (Cilium, the
 * OpenStack CCM and Cinder CSI, metrics-server, …), which these tests cannot
 * download. Each has the upstream chart's name and version, so Helm resolves
 * the addon's pinned dependency to it, and its only template echoes what the
 * chart receives into a ConfigMap named `<chart>-e2e-values`:
 *
 *   values.json   toJson of .Values (the values of the addon chart under the
 *                 dependency's alias, merged by Helm)
 *   kubeVersion   .Capabilities.KubeVersion.Version (--kube-version)
 *   chart         <name>-<version>
 *
 * and a CRD in crds/ (named standins.<chart>.e2e.test) shows that
 * --include-crds reached Helm.
 */
export interface ChartDependency {
  readonly name: string;
  readonly version: string;
  readonly repository: string;
  readonly alias?: string;
}

export const STAND_IN_CONFIGMAP_SUFFIX = '-e2e-values';

const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Chart.Name }}${STAND_IN_CONFIGMAP_SUFFIX}
  namespace: {{ .Release.Namespace }}
data:
  chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
  values.json: {{ toJson .Values | quote }}
`;

export function standInCrdName(chart: string): string {
  return `standins.${chart}.e2e.test`;
}

function crd(chart: string): string {
  return yaml.dump({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: standInCrdName(chart) },
    spec: {
      group: `${chart}.e2e.test`,
      names: { kind: 'StandIn', plural: 'standins' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    },
  });
}

/**
 * Writes one stand-in chart folder per dependency below `sources` and
 * packages each with `helm package` into `packages` (`<name>-<version>.tgz`).
 */
export async function createStandInCharts(helm: string, env: Record<string, string>, dependencies: readonly ChartDependency[], sources: string, packages: string): Promise<void> {
  mkdirSync(packages, { recursive: true });
  for (const dep of dependencies) {
    const dir = join(sources, `${dep.name}-${dep.version}`, dep.name);
    mkdirSync(join(dir, 'templates'), { recursive: true });
    mkdirSync(join(dir, 'crds'), { recursive: true });
    writeFileSync(join(dir, 'Chart.yaml'), yaml.dump({ apiVersion: 'v2', name: dep.name, version: dep.version, type: 'application', description: `e2e stand-in for ${dep.name} ${dep.version} from ${dep.repository}: echoes its values` }));
    writeFileSync(join(dir, 'templates', 'values-configmap.yaml'), TEMPLATE);
    writeFileSync(join(dir, 'crds', 'standin.yaml'), crd(dep.name));
    assertSuccess(await run(helm, ['package', dir, '--destination', packages], { env }), `helm package of the stand-in ${dep.name} ${dep.version}`);
  }
}
