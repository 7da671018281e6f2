import type { BundleFile } from '../../constructs/cluster-addon.ts';
import {
  HELM_CHART_PROXIES_FILE,
  renderHelmChartProxies,
  type HelmChartProxiesOptions,
  type HelmChartProxySource,
} from '../../constructs/helm-chart-proxy.ts';
import { KUSTOMIZATION_FILE, renderKustomization } from './kustomization.ts';

/** Bundle files for consumers without the Cluster Stack Operator. */
export const GitopsFiles = {
  helmChartProxies: HELM_CHART_PROXIES_FILE,
  kustomization: KUSTOMIZATION_FILE,
} as const;

/**
 * The files a bundle needs to be applied by CAAPH + kustomize/Flux/Argo CD:
 * helm-chart-proxies.yaml (when the stack has addons) and kustomization.yaml
 * listing the bundle's manifests. `files` are the bundle's other files
 * (ClusterStack.toBundle()); the result is to be added to them.
 */
export function gitopsBundleFiles(stack: HelmChartProxySource, files: readonly BundleFile[], options: HelmChartProxiesOptions = {}): BundleFile[] {
  for (const name of Object.values(GitopsFiles)) {
    if (files.some((f) => f.path === name)) throw new Error(`${name} is already in the bundle`);
  }
  const out: BundleFile[] = [];
  const proxies = renderHelmChartProxies(stack, options);
  if (proxies !== undefined) out.push({ path: HELM_CHART_PROXIES_FILE, content: proxies });
  out.push({ path: KUSTOMIZATION_FILE, content: renderKustomization([...files, ...out]) });
  return out;
}

/** The bundle's files with the GitOps files added, sorted by path as ClusterStack.toBundle() sorts. */
export function withGitopsFiles(stack: HelmChartProxySource, files: readonly BundleFile[], options: HelmChartProxiesOptions = {}): BundleFile[] {
  return [...files, ...gitopsBundleFiles(stack, files, options)].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
